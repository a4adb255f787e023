import { Param, ParseUUIDPipe } from '@nestjs/common';
import { InvalidInput } from './errors';

/** A UUID path parameter; anything else is a 400 naming the parameter. */
export const UuidParam = (name: string) => Param(name, new ParseUUIDPipe({ exceptionFactory: () => new InvalidInput(name, 'must be a UUID') }));
