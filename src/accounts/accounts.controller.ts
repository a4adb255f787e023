import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { answer, ChangeRequestDto } from '../change-requests/dto/change-request.dto';
import { actorOf, CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { UuidParam } from '../common/uuid-param';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Staff } from '../staff/staff.entity';
import { AccountsImportService } from './accounts-import.service';
import { AccountsService } from './accounts.service';
import { AccountDto, AccountPageDto, AccountSearchDto, CreateAccountDto, UpdateAccountDto } from './dto/account.dto';
import { ImportAccountsDto, ImportReportDto } from './dto/import.dto';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

const seesFullChannels = (staff: Staff) => staff.roles.includes('admin');

@ApiTags('accounts')
@Controller('v1/accounts')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid field (named in message and details)' })
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly importer: AccountsImportService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an account', operationId: 'createAccount' })
  @Roles('admin')
  @ApiCreatedResponse({ type: AccountDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'externalId already taken' })
  async create(@CurrentStaff() admin: Staff, @Body() body: CreateAccountDto): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.create(actorOf(admin), body), true);
  }

  @PathToCodes(['link_token'], 'a channel change tells the old channel with a "this wasn’t me" link (sensitive rows become change requests)')
  @Post('import')
  @ApiOperation({ summary: 'Import accounts from a directory export', operationId: 'importAccounts' })
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({
    type: ImportReportDto,
    description: 'Per-row report; good rows are written even when others are rejected; rows with a sensitive change become change requests (`requested`)',
  })
  importDirectory(@CurrentStaff() admin: Staff, @Body() body: ImportAccountsDto): Promise<ImportReportDto> {
    return this.importer.importExport(actorOf(admin), body.format, body.content, admin);
  }

  @Get()
  @ApiOperation({ summary: 'Search accounts', operationId: 'searchAccounts' })
  @Roles('agent', 'approver', 'admin')
  @ApiOkResponse({ type: AccountPageDto, description: 'Channels masked except for admins' })
  async search(@CurrentStaff() staff: Staff, @Query() query: AccountSearchDto): Promise<AccountPageDto> {
    const page = await this.accounts.search(query.q, query.limit, query.cursor);
    return { items: page.items.map((a) => AccountDto.from(a, seesFullChannels(staff))), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an account', operationId: 'getAccount' })
  @Roles('agent', 'approver', 'admin')
  @ApiOkResponse({ type: AccountDto, description: 'Channels masked except for admins' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@CurrentStaff() staff: Staff, @UuidParam('id') id: string): Promise<AccountDto> {
    return AccountDto.from(await this.accounts.get(id), seesFullChannels(staff));
  }

  @PathToCodes(['link_token'], 'a channel change tells the old channel with a "this wasn’t me" link (sensitive: a change request with two admins)')
  @Patch(':id')
  @ApiOperation({ summary: 'Update an account', operationId: 'updateAccount' })
  @Roles('admin')
  @ApiOkResponse({ type: AccountDto, description: 'Applied' })
  @ApiAcceptedResponse({
    type: ChangeRequestDto,
    description: 'Sensitive (tier lowered, channels, manager, deactivation): a change request now waits for a second admin',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'externalId already taken, or a change request for this account is pending' })
  async update(
    @CurrentStaff() admin: Staff,
    @UuidParam('id') id: string,
    @Body() body: UpdateAccountDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AccountDto | ChangeRequestDto> {
    const { changeReason, ...changes } = body;
    return answer(await this.accounts.requestUpdate(admin, id, changes, changeReason), admin, res, (account) => AccountDto.from(account, true));
  }
}
