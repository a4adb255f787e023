import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiGoneResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Public } from '../common/auth/roles.decorator';
import { ErrorResponseDto } from '../common/error-response.dto';
import { RateLimited } from '../common/throttle';
import { CUSTODY_GUIDANCE } from '../codes/codes.service';
import { RedeemDto, RedeemedDto } from '../codes/dto/codes.dto';
import { DeliveryService } from './delivery.service';

@ApiTags('delivery')
@Controller('v1/deliveries')
export class DeliveriesController {
  constructor(private readonly delivery: DeliveryService) {}

  /** No staff auth: the token is the credential, and it works once. */
  @Post('redeem')
  @ApiOperation({ summary: 'Redeem a one-time delivery link for the codes', operationId: 'redeemDelivery' })
  @Public()
  @HttpCode(200)
  @RateLimited('links')
  @ApiOkResponse({ type: RedeemedDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiGoneResponse({ type: ErrorResponseDto, description: 'Used, expired or unknown token: one answer for all three' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  async redeem(@Body() body: RedeemDto): Promise<RedeemedDto> {
    return { codes: await this.delivery.redeem(body.token), custody: CUSTODY_GUIDANCE };
  }
}
