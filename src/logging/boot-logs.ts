import type { LoggerService } from '@nestjs/common';

/** Nest's own start-up chatter: a line per module initialised and per route mapped (~120 lines). */
const BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * The service's logger with Nest's start-up chatter moved to debug level (shown with LOG_LEVEL=debug), so a start
 * prints a few human lines — the listening line and the first admin's token last — instead of a screenful of JSON.
 */
export class BootLogsAtDebug implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    if (BOOT_CONTEXTS.has(params[params.length - 1] as string)) this.inner.debug?.(message, ...params);
    else this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.inner.fatal?.(message, ...params);
  }
}
