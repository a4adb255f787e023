import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentStaff } from './current-staff.decorator';
import { Roles } from '../common/auth/roles.decorator';
import { STAFF_ROLES } from '../common/auth/staff-roles';
import { Staff } from './staff.entity';
import { StaffDto } from './dto/staff.dto';

class StaffMessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() subject: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) ticketId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** The signed-in staff member: who they are, and messages for them (drill debriefs). */
@ApiTags('staff')
@Controller('v1/me')
@Roles(...STAFF_ROLES)
export class MeController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Who the token belongs to', operationId: 'getMe' })
  @ApiOkResponse({ type: StaffDto })
  me(@CurrentStaff() staff: Staff): StaffDto {
    return StaffDto.from(staff);
  }

  @Get('messages')
  @ApiOperation({ summary: 'Messages for the signed-in staff member', operationId: 'listMyMessages' })
  @ApiOkResponse({ type: [StaffMessageDto], description: 'Newest first' })
  async messages(@CurrentStaff() staff: Staff): Promise<StaffMessageDto[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, subject, body, ticket_id, created_at FROM staff_messages WHERE staff_id = $1 ORDER BY created_at DESC LIMIT 100`,
      [staff.id],
    )) as { id: string; subject: string; body: string; ticket_id: string | null; created_at: Date }[];
    return rows.map((r) => ({ id: r.id, subject: r.subject, body: r.body, ticketId: r.ticket_id, createdAt: r.created_at.toISOString() }));
  }
}
