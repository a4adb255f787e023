import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Roles } from '../common/auth/roles.decorator';
import { AuditCheckpoints } from './audit-checkpoints';
import { AuditService } from './audit.service';
import {
  AuditEventDto,
  AuditPageDto,
  AuditQueryDto,
  AuditVerdictDto,
  CheckpointDto,
  ConsistencyProofDto,
  ConsistencyQueryDto,
  InclusionProofDto,
  InclusionQueryDto,
  SeqParamDto,
} from './dto/audit.dto';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpoints,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List audit events, newest first', operationId: 'listAuditEvents' })
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'List audit events, newest first, with filters and keyset pages', operationId: 'listAuditEvents' })
  @ApiOkResponse({ type: AuditPageDto, description: 'Newest first' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter or cursor' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list(query);
    return { items: page.items.map(AuditEventDto.from), nextCursor: page.nextCursor };
  }

  @Get('verify')
  @ApiOperation({ summary: 'Verify the hash chain of the audit log', operationId: 'verifyAuditChain' })
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'Recompute the log and hold it to every checkpoint the witness published', operationId: 'verifyAuditLog' })
  @ApiOkResponse({ type: AuditVerdictDto })
  verify(): Promise<AuditVerdictDto> {
    return this.audit.verify();
  }

  @Get('checkpoint')
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'The newest signed checkpoint (tree size, root, time) the witness holds', operationId: 'getAuditCheckpoint' })
  @ApiOkResponse({ type: CheckpointDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No checkpoint published yet' })
  latest(): Promise<CheckpointDto> {
    return this.checkpoints.latest();
  }

  @Post('checkpoint')
  @HttpCode(200)
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'Integrate every committed event and publish a signed checkpoint now', operationId: 'publishAuditCheckpoint' })
  @ApiOkResponse({ type: CheckpointDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The log in the database does not extend what its witness holds: nothing is signed' })
  publish(): Promise<CheckpointDto> {
    return this.checkpoints.publishNow();
  }

  @Get('events/:seq/inclusion')
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'Inclusion proof (RFC 9162 audit path) of one event in a tree size', operationId: 'getAuditInclusionProof' })
  @ApiOkResponse({ type: InclusionProofDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid event number or tree size' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such event in the tree (yet)' })
  inclusion(@Param() params: SeqParamDto, @Query() query: InclusionQueryDto): Promise<InclusionProofDto> {
    return this.audit.inclusionProof(params.seq, query.size);
  }

  @Get('consistency')
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'Consistency proof (RFC 9162) that one tree size is a prefix of a larger one', operationId: 'getAuditConsistencyProof' })
  @ApiOkResponse({ type: ConsistencyProofDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid sizes' })
  async consistency(@Query() query: ConsistencyQueryDto): Promise<ConsistencyProofDto> {
    return { from: query.from, to: query.to, proof: await this.audit.consistencyProof(query.from, query.to) };
  }
}
