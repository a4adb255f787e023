import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { actorOf, CurrentStaff } from '../common/auth/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { RequiresStepUp } from '../common/auth/step-up.decorator';
import { UuidParam } from '../common/uuid-param';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PageQueryDto } from '../common/pagination';
import { CreateStaffDto, IssuedTokenDto, IssueTokenDto, StaffDto, StaffPageDto, TokenDto, UpdateStaffDto } from './dto/staff.dto';
import { Staff } from './staff.entity';
import { StaffService } from './staff.service';

@ApiTags('staff')
@Controller('v1/staff')
@Roles('admin')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field (named in message and details)' })
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Unknown staff member or token' })
export class StaffController {
  constructor(private readonly staffService: StaffService) {}

  @Post()
  @ApiCreatedResponse({ type: StaffDto })
  async create(@CurrentStaff() admin: Staff, @Body() body: CreateStaffDto): Promise<StaffDto> {
    return StaffDto.from(await this.staffService.create(actorOf(admin), body));
  }

  @Get()
  @ApiOkResponse({ type: StaffPageDto })
  async list(@Query() query: PageQueryDto): Promise<StaffPageDto> {
    const page = await this.staffService.list(query.limit, query.cursor);
    return { items: page.items.map(StaffDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: StaffDto })
  async get(@UuidParam('id') id: string): Promise<StaffDto> {
    return StaffDto.from(await this.staffService.get(id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: StaffDto })
  async update(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @Body() body: UpdateStaffDto,
  ): Promise<StaffDto> {
    return StaffDto.from(await this.staffService.update(actorOf(admin), id, body));
  }

  @Post(':id/tokens')
  @RequiresStepUp()
  @ApiCreatedResponse({ type: IssuedTokenDto, description: 'The token is in this response only' })
  async issueToken(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @Body() body: IssueTokenDto,
  ): Promise<IssuedTokenDto> {
    const { record, token } = await this.staffService.issueToken(actorOf(admin), id, body);
    return { ...TokenDto.from(record), token };
  }

  @Get(':id/tokens')
  @ApiOkResponse({ type: [TokenDto], description: 'Tokens without their secrets' })
  async listTokens(@UuidParam('id') id: string): Promise<TokenDto[]> {
    return (await this.staffService.listTokens(id)).map(TokenDto.from);
  }

  @Delete(':id/tokens/:tokenId')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenDto, description: 'The revoked token' })
  async revokeToken(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @UuidParam('tokenId') tokenId: string,
  ): Promise<TokenDto> {
    return TokenDto.from(await this.staffService.revokeToken(actorOf(admin), id, tokenId));
  }
}
