import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { OwnCredential } from '../common/auth/roles.decorator';
import { ClientThrottlerGuard, THROTTLE } from '../common/throttle';
import type { Env } from '../config/env.validation';
import { ScimErrorDto, ScimListQueryDto } from './dto/scim.dto';
import { ScimAuthGuard } from './scim-auth.guard';
import type { ScimRequest } from './scim-auth.guard';
import { discoveryItem, listResponse, resourceTypes, schemas, serviceProviderConfig } from './scim-discovery';
import { SCIM_CONTENT_TYPE, ScimExceptionFilter } from './scim-exception.filter';
import { ScimRequestInterceptor } from './scim-request.interceptor';
import { MAX_PAGE, ScimUsersService } from './scim-users.service';
import { PathToCodes } from '../common/auth/path-to-codes.decorator';

type Json = Record<string, unknown>;
export const SCIM_SECURITY = 'scim';
const OBJECT_BODY = { schema: { type: 'object', additionalProperties: true } } as const;
const SCIM_ERROR = { type: ScimErrorDto, description: 'SCIM error: { schemas, status, scimType?, detail } as application/scim+json' };

/** Outside /v1 and the staff guard: a provisioning connection's secret, its own rate limit, SCIM's error format. */
const ScimEndpoint = () =>
  applyDecorators(
    OwnCredential(),
    UseGuards(ScimAuthGuard, ClientThrottlerGuard),
    SkipThrottle(
      Object.fromEntries(
        Object.values(THROTTLE)
          .filter((n) => n !== THROTTLE.scim)
          .map((n) => [n, true]),
      ),
    ),
    UseInterceptors(ScimRequestInterceptor),
    UseFilters(ScimExceptionFilter),
    ApiBearerAuth(SCIM_SECURITY),
    ApiProduces('application/scim+json'),
    ApiUnauthorizedResponse(SCIM_ERROR),
    ApiTooManyRequestsResponse(SCIM_ERROR),
  );

@ApiTags('scim')
@Controller('scim/v2')
@ScimEndpoint()
export class ScimController {
  private readonly publicUrl: string;

  constructor(
    private readonly users: ScimUsersService,
    config: ConfigService<Env, true>,
  ) {
    this.publicUrl = config.get('PUBLIC_URL', { infer: true });
  }

  private get baseUrl(): string {
    return `${this.publicUrl}/scim/v2`;
  }

  private send(res: Response, resource: Json): Json {
    res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
    const version = (resource.meta as Json | undefined)?.version;
    if (typeof version === 'string') res.setHeader('ETag', version);
    return resource;
  }

  @Get('ServiceProviderConfig')
  @ApiOperation({ summary: 'What this SCIM service provider supports', operationId: 'getScimServiceProviderConfig' })
  @ApiOkResponse({ description: 'ServiceProviderConfig' })
  getServiceProviderConfig(@Res({ passthrough: true }) res: Response): Json {
    return this.send(res, serviceProviderConfig(this.baseUrl));
  }

  @Get('ResourceTypes')
  @ApiOperation({ summary: 'The SCIM resource types served (User)', operationId: 'listScimResourceTypes' })
  @ApiOkResponse({ description: 'ListResponse of ResourceType' })
  listResourceTypes(@Res({ passthrough: true }) res: Response): Json {
    return this.send(res, listResponse(resourceTypes(this.baseUrl)));
  }

  @Get('ResourceTypes/:id')
  @ApiOperation({ summary: 'One SCIM resource type', operationId: 'getScimResourceType' })
  @ApiOkResponse({ description: 'ResourceType' })
  @ApiBadRequestResponse(SCIM_ERROR)
  @ApiNotFoundResponse(SCIM_ERROR)
  getResourceType(@Param('id') id: string, @Res({ passthrough: true }) res: Response): Json {
    return this.send(res, discoveryItem('ResourceType', resourceTypes(this.baseUrl), id));
  }

  @Get('Schemas')
  @ApiOperation({ summary: 'The SCIM schemas served (core User, enterprise extension)', operationId: 'listScimSchemas' })
  @ApiOkResponse({ description: 'ListResponse of Schema' })
  listSchemas(@Res({ passthrough: true }) res: Response): Json {
    return this.send(res, listResponse(schemas(this.baseUrl)));
  }

  @Get('Schemas/:id')
  @ApiOperation({ summary: 'One SCIM schema', operationId: 'getScimSchema' })
  @ApiOkResponse({ description: 'Schema' })
  @ApiBadRequestResponse(SCIM_ERROR)
  @ApiNotFoundResponse(SCIM_ERROR)
  getSchema(@Param('id') id: string, @Res({ passthrough: true }) res: Response): Json {
    return this.send(res, discoveryItem('Schema', schemas(this.baseUrl), id));
  }

  @Get('Users')
  @ApiOperation({ summary: 'List or look up users (filter, startIndex, count)', operationId: 'listScimUsers' })
  @ApiOkResponse({ description: 'ListResponse of User' })
  @ApiBadRequestResponse(SCIM_ERROR)
  async listUsers(@Query() query: ScimListQueryDto, @Res({ passthrough: true }) res: Response): Promise<Json> {
    const page = await this.users.list(this.baseUrl, query.filter, query.startIndex, Math.min(query.count, MAX_PAGE));
    return this.send(res, listResponse(page.resources, page.totalResults, page.startIndex));
  }

  @Get('Users/:id')
  @ApiOperation({ summary: 'One user', operationId: 'getScimUser' })
  @ApiOkResponse({ description: 'User, with ETag' })
  @ApiBadRequestResponse(SCIM_ERROR)
  @ApiNotFoundResponse(SCIM_ERROR)
  async getUser(@Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<Json> {
    return this.send(res, await this.users.get(this.baseUrl, id));
  }

  @PathToCodes(['link_token'], 'a directory change to an e-mail or phone tells the old channel with a "this wasn’t me" link')
  @Post('Users')
  @ApiOperation({ summary: 'Provision a user (an account whose source is the directory)', operationId: 'createScimUser' })
  @ApiBody(OBJECT_BODY)
  @ApiCreatedResponse({ description: 'The created User, with Location and ETag' })
  @ApiBadRequestResponse(SCIM_ERROR)
  @ApiConflictResponse({ ...SCIM_ERROR, description: 'scimType uniqueness: userName or externalId taken' })
  async createUser(@Req() req: ScimRequest, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<Json> {
    const user = await this.users.create(req.scimConnection!, this.baseUrl, body);
    res.status(201).setHeader('Location', String((user.meta as Json).location));
    return this.send(res, user);
  }

  @PathToCodes(['link_token'], 'a directory change to an e-mail or phone tells the old channel with a "this wasn’t me" link')
  @Put('Users/:id')
  @ApiOperation({ summary: 'Replace a user (full update)', operationId: 'replaceScimUser' })
  @ApiBody(OBJECT_BODY)
  @ApiOkResponse({ description: 'User' })
  @ApiBadRequestResponse(SCIM_ERROR)
  @ApiNotFoundResponse(SCIM_ERROR)
  @ApiConflictResponse(SCIM_ERROR)
  @ApiPreconditionFailedResponse({ ...SCIM_ERROR, description: 'If-Match names an older version' })
  async replaceUser(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Json> {
    return this.send(res, await this.users.replace(req.scimConnection!, this.baseUrl, id, body, ifMatch));
  }

  @PathToCodes(['link_token'], 'a directory change to an e-mail or phone tells the old channel with a "this wasn’t me" link')
  @Patch('Users/:id')
  @ApiOperation({ summary: 'Change a user with PatchOp operations (add, replace, remove)', operationId: 'patchScimUser' })
  @ApiBody(OBJECT_BODY)
  @ApiOkResponse({ description: 'User' })
  @ApiBadRequestResponse(SCIM_ERROR)
  @ApiNotFoundResponse(SCIM_ERROR)
  @ApiConflictResponse(SCIM_ERROR)
  @ApiPreconditionFailedResponse({ ...SCIM_ERROR, description: 'If-Match names an older version' })
  async patchUser(
    @Req() req: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Json> {
    return this.send(res, await this.users.patch(req.scimConnection!, this.baseUrl, id, body, ifMatch));
  }

  @PathToCodes(['link_token'], 'goes through the one account-change method, which tells an old channel with a "this wasn’t me" link')
  @Delete('Users/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deactivate a user (the record is kept for the audit trail)', operationId: 'deleteScimUser' })
  @ApiNoContentResponse({ description: 'Deactivated' })
  @ApiBadRequestResponse(SCIM_ERROR)
  @ApiNotFoundResponse(SCIM_ERROR)
  @ApiPreconditionFailedResponse({ ...SCIM_ERROR, description: 'If-Match names an older version' })
  async deleteUser(@Req() req: ScimRequest, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.users.deactivate(req.scimConnection!, this.baseUrl, id, ifMatch);
  }
}
