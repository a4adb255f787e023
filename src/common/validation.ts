import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailed } from './errors';

/** class-validator's nested errors as a flat list of fields, each message without the field's name. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints
      ? [
          {
            field,
            // class-validator prefixes each message with the property name; the field says it already.
            errors: Object.entries(error.constraints).map(([constraint, message]) =>
              constraint === 'whitelistValidation' ? 'is not an accepted field' : message.replace(new RegExp(`^${error.property} `), ''),
            ),
          },
        ]
      : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/**
 * Whitelisting and refusing unknown fields: a request with a field we do not
 * know is a mistake worth telling the caller about, not silently dropping.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailed(fieldErrors(errors)),
  });
}

/**
 * PATCH bodies: a field may be left out, but not set to null when its column
 * cannot hold null (PartialType's @IsOptional lets null through validation).
 */
export function refuseNulls<T extends object>(changes: T, fields: readonly (keyof T & string)[]): void {
  const nulled = fields.filter((field) => (changes as Record<string, unknown>)[field] === null);
  if (nulled.length) throw new ValidationFailed(nulled.map((field) => ({ field, errors: ['cannot be null'] })));
}
