import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

/** Documents DrillReportService's JSON (the controller returns the report as it is). */
class OutcomeCountsDto {
  @ApiProperty() drills: number;
  @ApiProperty({ description: 'Stopped: denied, flagged, or caught by a system-verified step' }) passed: number;
  @ApiProperty({ description: 'Got through: an attested step passed for the impostor, or an approval given' }) failed: number;
  @ApiProperty({ description: 'Ended (expired, cancelled) without a decisive act' }) inconclusive: number;
  @ApiProperty({ description: 'Still running or scheduled' }) undecided: number;
  @ApiProperty({ nullable: true, type: Number }) medianTimeToDecisionMs: number | null;
}

export class StepOutcomeDto {
  @ApiProperty() passed: number;
  @ApiProperty() failed: number;
}

export class CampaignResultDto extends OutcomeCountsDto {
  @ApiProperty() campaign: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(StepOutcomeDto) },
    description: 'Where drills were stopped (passed) or got through (failed): by proofing step, or approval, flag, deny',
    example: { registered_channel_otp: { passed: 2, failed: 0 }, approval: { passed: 0, failed: 1 } },
  })
  byStep: Record<string, StepOutcomeDto>;
}

export class AgentResultDto extends OutcomeCountsDto {
  @ApiProperty({ format: 'uuid' }) staffId: string;
  @ApiProperty() name: string;
}

export class ApproverResultDto {
  @ApiProperty({ format: 'uuid' }) staffId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Drill tickets this approver approved (each one a failure)' }) approved: number;
  @ApiProperty() denied: number;
}

class ReportFilterDto {
  @ApiProperty({ nullable: true, type: String }) campaign: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) from: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) to: string | null;
}

export class DrillReportDto {
  @ApiProperty({ type: ReportFilterDto }) filter: ReportFilterDto;
  @ApiProperty({ type: [CampaignResultDto] }) campaigns: CampaignResultDto[];
  @ApiProperty({ type: [AgentResultDto] }) agents: AgentResultDto[];
  @ApiProperty({ type: [ApproverResultDto] }) approvers: ApproverResultDto[];
}
