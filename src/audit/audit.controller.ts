import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Roles } from '../common/auth/roles.decorator';
import { AuditService } from './audit.service';
import { AuditEventDto, AuditPageDto, AuditQueryDto, ChainVerdictDto } from './dto/audit.dto';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'List audit events, newest first', operationId: 'listAuditEvents' })
  @Roles('auditor', 'admin')
  @ApiOkResponse({ type: AuditPageDto, description: 'Newest first' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or cursor' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list(query);
    return { items: page.items.map(AuditEventDto.from), nextCursor: page.nextCursor };
  }

  @Get('verify')
  @ApiOperation({ summary: 'Verify the hash chain of the audit log', operationId: 'verifyAuditChain' })
  @Roles('auditor', 'admin')
  @ApiOkResponse({ type: ChainVerdictDto })
  verify(): Promise<ChainVerdictDto> {
    return this.audit.verify();
  }
}
