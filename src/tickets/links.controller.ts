import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiGoneResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { Public } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/throttle';
import { LinksService } from './links.service';
import { RecoveryHold } from './risk/recovery-hold.service';
import { TICKET_CHANNELS, TICKET_REASONS } from './ticket.entity';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

class LinkTokenDto {
  @ApiProperty({ description: 'The token from the link' })
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  token: string;
}

class AttestDto extends LinkTokenDto {
  @ApiProperty({ enum: ['confirm', 'reject'] })
  @IsIn(['confirm', 'reject'])
  decision: 'confirm' | 'reject';
}

class CallbackAsGivenDto {
  @ApiProperty({ required: false }) name?: string;
  @ApiProperty({ required: false }) phone?: string;
  @ApiProperty({ required: false }) email?: string;
}

class AttestationRequestDto {
  @ApiProperty({ description: 'Who the caller said they were' }) subjectName: string;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ enum: [...TICKET_CHANNELS, 'self_service'], description: 'How the caller reached the help desk' }) channel: string;
  @ApiProperty({ enum: TICKET_REASONS }) reason: string;
  @ApiProperty({ type: CallbackAsGivenDto, description: 'How the caller said they can be reached, as given (not checked)' }) callback: CallbackAsGivenDto;
  @ApiProperty({ format: 'date-time', description: 'The link works until then' }) expiresAt: string;
}

class LinkOutcomeDto {
  @ApiProperty({ description: 'What happens next, for the person who clicked' }) message: string;
}

/** No staff auth: the one-time token is the credential. Rate-limited per client address. */
@ApiTags('links')
@Controller('v1/links')
@Public()
@RateLimited('links')
@ApiBadRequestResponse({ type: ErrorResponseDto })
@ApiGoneResponse({ type: ErrorResponseDto, description: 'Used, expired or unknown link: one answer for all' })
@ApiTooManyRequestsResponse({ type: ErrorResponseDto })
export class LinksController {
  constructor(
    private readonly links: LinksService,
    private readonly hold: RecoveryHold,
  ) {}

  @Post('cancel')
  @ApiOperation({ summary: "Stop a recovery request (the subject's link)", operationId: 'cancelByLink' })
  @HttpCode(200)
  @ApiOkResponse({ type: LinkOutcomeDto })
  async cancel(@Body() body: LinkTokenDto): Promise<LinkOutcomeDto> {
    await this.links.cancelBySubject(body.token);
    return { message: 'The request was stopped and our security team has been told. Your current codes are unchanged.' };
  }

  @Post('not-me')
  @HttpCode(200)
  @ApiOperation({ summary: 'The subject reports a change to their account was not them: holds every recovery of the account', operationId: 'reportNotMe' })
  @ApiOkResponse({ type: LinkOutcomeDto })
  async notMe(@Body() body: LinkTokenDto): Promise<LinkOutcomeDto> {
    await this.hold.reportNotMe(body.token);
    return { message: 'Thank you: every recovery of your account is on hold until our security team has looked at it, and they have been told.' };
  }

  @Post('attestation-request')
  @ApiOperation({ summary: "What the manager's link asks about", operationId: 'getAttestationRequest' })
  @HttpCode(200)
  @ApiOkResponse({ type: AttestationRequestDto, description: 'What the manager is asked about; does not use the link' })
  async attestationRequest(@Body() body: LinkTokenDto): Promise<AttestationRequestDto> {
    const request = await this.links.attestationRequest(body.token);
    return { ...request, requestedAt: request.requestedAt.toISOString(), expiresAt: request.expiresAt.toISOString() };
  }

  @PathToCodes(
    ['code_set', 'delivery_envelope', 'link_token'],
    'the manager’s confirmation can pass the last step; a ticket needing no approver is then approved and regenerated',
  )
  @Post('attest')
  @ApiOperation({ summary: "Confirm or reject a recovery request (the manager's link)", operationId: 'attestByLink' })
  @HttpCode(200)
  @ApiOkResponse({ type: LinkOutcomeDto })
  async attest(@Body() body: AttestDto): Promise<LinkOutcomeDto> {
    await this.links.attest(body.token, body.decision);
    return {
      message:
        body.decision === 'confirm' ? 'Thank you: your confirmation was recorded.' : 'Thank you: the request was stopped and our security team has been told.',
    };
  }
}
