import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/roles.decorator';
import { HygieneReportDto } from './dto/codes.dto';
import { HygieneService } from './hygiene.service';

@ApiTags('backup codes')
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly hygiene: HygieneService) {}

  @Get('code-hygiene')
  @ApiOperation({ summary: 'Backup-code hygiene report', operationId: 'getCodeHygieneReport' })
  @Roles('auditor', 'admin')
  @ApiOkResponse({ type: HygieneReportDto })
  codeHygiene(): Promise<HygieneReportDto> {
    return this.hygiene.report();
  }
}
