import { Body, Controller, Get, Header, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { CurrentStaff } from '../staff/current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { UuidParam } from '../common/uuid-param';
import { Staff } from '../staff/staff.entity';
import { DrillReportService } from './drill-report.service';
import { drillSight, withoutTarget } from './drill-visibility';
import { Drill } from './drill.entity';
import { DrillListQueryDto, DrillPageDto, DrillSummaryDto } from './dto/drill-list.dto';
import { DrillReportDto, StepOutcomeDto } from './dto/drill-report.dto';
import { DrillsService, SinkMessage } from './drills.service';
import { SCENARIO_BODY_SCHEMA } from './scenario';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

class ReportQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) campaign?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate() from?: Date;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate() to?: Date;
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

export class DrillDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() campaign: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['scheduled', 'running', 'resolved'] }) status: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Null for an auditor while the drill’s ticket is live' }) ticketId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Null for an auditor while the drill’s ticket is live' }) ticketState: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The target; null for an auditor while the drill’s ticket is live' }) accountId:
    string | null;
  @ApiProperty({ format: 'date-time' }) scheduledFor: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ enum: ['passed', 'failed', 'inconclusive'], nullable: true, type: String }) outcome: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Where it was stopped or got through' }) decidedStep: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it ended inconclusive, e.g. `pre-empted by a real request`' }) endedReason: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedBy: string | null;
  @ApiProperty({ nullable: true, type: Number }) timeToDecisionMs: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The scenario, including the caller’s scripted answers (drill runners and auditors only; an auditor sees no `target` while the drill’s ticket is live)',
  })
  scenario: Record<string, unknown>;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    nullable: true,
    description: 'What the drill ticket would have sent to the subject or manager (OTPs, links): drill runners only, null for an auditor',
  })
  sink: SinkMessage[] | null;

  static from(drill: Drill, ticketState: string | null, sink: SinkMessage[], reader: Staff): DrillDto {
    const sight = drillSight(reader.roles, ticketState);
    return {
      id: drill.id,
      campaign: drill.campaign,
      name: drill.name,
      status: drill.status,
      ticketId: sight.target ? drill.ticketId : null,
      ticketState: sight.target ? ticketState : null,
      accountId: sight.target ? drill.accountId : null,
      scheduledFor: drill.scheduledFor.toISOString(),
      startedAt: drill.startedAt?.toISOString() ?? null,
      outcome: drill.outcome,
      decidedStep: drill.decidedStep,
      endedReason: drill.endedReason,
      decidedBy: drill.decidedBy,
      timeToDecisionMs: drill.timeToDecisionMs,
      scenario: sight.target ? drill.scenario : withoutTarget(drill.scenario),
      sink: sight.messages ? sink : null,
    };
  }
}

@ApiTags('drills')
@Controller('v1/drills')
@ApiExtraModels(StepOutcomeDto, DrillReportDto)
@ApiBadRequestResponse({
  type: ErrorResponseDto,
  description:
    'Scenario or query invalid. `details.fields` names each field: `[{ field: "answers.registered_channel_otp.says", pointer: "/answers/registered_channel_otp/says", errors: ["must match pattern …"] }]` (a scenario error also carries the JSON Pointer of the value)',
})
export class DrillsController {
  constructor(
    private readonly drills: DrillsService,
    private readonly reports: DrillReportService,
  ) {}

  @PathToCodes(['link_token'], 'opens a drill ticket; its links go to the drill’s sink, never to a person')
  @Post()
  @ApiOperation({ summary: 'Start a social-engineering drill', operationId: 'createDrill' })
  @Roles('drill_runner')
  @ApiBody({ description: 'A scenario, as drills/scenario.schema.json defines it', schema: SCENARIO_BODY_SCHEMA })
  @ApiCreatedResponse({ type: DrillDto, description: 'The drill; its ticket is already in the queue unless scheduled for later' })
  async create(@CurrentStaff() runner: Staff, @Body() body: unknown): Promise<DrillDto> {
    const drill = await this.drills.create(runner, body);
    const { drill: fresh, ticketState, sink } = await this.drills.get(drill.id);
    return DrillDto.from(fresh, ticketState, sink, runner);
  }

  @Get()
  @ApiOperation({ summary: 'List drills', operationId: 'listDrills' })
  @Roles('drill_runner', 'auditor')
  @ApiOkResponse({ type: DrillPageDto, description: 'Newest first; drills decided since the last sweep are scored first' })
  async list(@CurrentStaff() reader: Staff, @Query() query: DrillListQueryDto): Promise<DrillPageDto> {
    const page = await this.drills.list(query);
    return { items: page.items.map((listing) => DrillSummaryDto.from(listing, reader)), nextCursor: page.nextCursor };
  }

  @Get('report')
  @ApiOperation({ summary: 'Drill report per campaign, agent and approver', operationId: 'getDrillReport' })
  @Roles('drill_runner', 'auditor')
  @ApiOkResponse({
    description:
      'Per campaign (with where drills were stopped or got through), per agent, per approver; format=csv gives one row per campaign, agent and approver',
    content: { 'application/json': { schema: { $ref: getSchemaPath(DrillReportDto) } }, 'text/csv': { schema: { type: 'string' } } },
  })
  @Header('Cache-Control', 'no-store')
  async report(@Query() query: ReportQueryDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    await this.drills.scoreRunning(query.campaign); // the report counts what staff decided since the last sweep
    const report = await this.reports.report(query);
    if (query.format !== 'csv') return report;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="drill-report.csv"');
    return this.reports.toCsv(report);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a drill', operationId: 'getDrill' })
  @Roles('drill_runner', 'auditor')
  @ApiOkResponse({ type: DrillDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@CurrentStaff() reader: Staff, @UuidParam('id') id: string): Promise<DrillDto> {
    const { drill, ticketState, sink } = await this.drills.get(id);
    return DrillDto.from(drill, ticketState, sink, reader);
  }
}
