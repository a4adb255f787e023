import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf, CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { UuidParam } from '../common/uuid-param';
import { Staff } from '../staff/staff.entity';
import { OutboxMessageDto, OutboxPageDto, OutboxQueryDto } from './dto/outbox.dto';
import { OutboxAdminService } from './outbox-admin.service';

@ApiTags('outbox')
@Controller('v1/outbox')
@Roles('admin')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid status, limit, cursor or id' })
export class OutboxController {
  constructor(private readonly outbox: OutboxAdminService) {}

  @Get()
  @ApiOperation({ summary: 'List outbox messages and their delivery status', operationId: 'listOutboxMessages' })
  @ApiOkResponse({ type: OutboxPageDto, description: 'Newest first: status, attempts and last failure of each message, never its content' })
  async list(@Query() query: OutboxQueryDto): Promise<OutboxPageDto> {
    const page = await this.outbox.list(query);
    return { items: page.items.map(OutboxMessageDto.from), nextCursor: page.nextCursor };
  }

  @Post(':id/resend')
  @ApiOperation({ summary: 'Resend a failed outbox message', operationId: 'resendOutboxMessage' })
  @HttpCode(200)
  @ApiOkResponse({ type: OutboxMessageDto, description: 'Back to pending and enqueued, with the same idempotency key' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown message' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The message is not failed: details name its `status`' })
  async resend(@CurrentStaff() admin: Staff, @UuidParam('id') id: string): Promise<OutboxMessageDto> {
    return OutboxMessageDto.from(await this.outbox.resend(actorOf(admin), id));
  }
}
