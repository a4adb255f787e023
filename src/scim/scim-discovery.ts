import SCIMMY from 'scimmy';
import { NotFound } from '../common/errors';
import { declareUserResource } from './scim-user';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
type Json = Record<string, unknown>;

/** RFC 7644 §5: what this service provider supports. */
export function serviceProviderConfig(baseUrl: string): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${baseUrl.replace(/\/scim\/v2$/, '')}/docs`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Connection secret',
        description: 'Authorization: Bearer <the secret shown when an admin created the connection>',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Json[] {
  declareUserResource();
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      ...SCIMMY.Resources.User.describe(),
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
  ];
}

export function schemas(baseUrl: string): Json[] {
  declareUserResource();
  return [SCIMMY.Schemas.User.definition, SCIMMY.Schemas.EnterpriseUser.definition].map((definition) => {
    const described = definition.describe(`${baseUrl}/Schemas`) as Json;
    return { ...described, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${String(described.id)}` } };
  });
}

export function listResponse(resources: Json[], totalResults = resources.length, startIndex = 1): Json {
  return { schemas: [LIST], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** One ResourceType or Schema by its id, or 404. */
export function discoveryItem(kind: 'ResourceType' | 'Schema', items: Json[], id: string): Json {
  const found = items.find((item) => item.id === id);
  if (!found) throw new NotFound(kind, id);
  return found;
}
