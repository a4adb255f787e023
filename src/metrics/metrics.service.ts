import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Node's and the process's own metrics (prom-client's defaults), once per process: they start sampling the event loop
 * and watching garbage collection at once, and prom-client has no way to stop them, so a second app in the same
 * process (tests start several) shares the first one's instead of starting its own.
 */
let processMetrics: Registry | undefined;
function sharedProcessMetrics(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** One registry per app instance for the app's own metrics (tests start several apps in one process). */
@Injectable()
export class MetricsService {
  private readonly own = new Registry();
  /** What GET /metrics serves: this app's metrics and the process's. */
  readonly registry: Registry;
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.own],
  });

  /** 1 while the last scheduled verification found the audit log holding to its checkpoints, 0 when it did not. */
  readonly auditChainIntact = new Gauge({
    name: 'audit_chain_intact',
    help: 'Result of the last scheduled audit-chain verification (1 intact, 0 broken)',
    registers: [this.own],
  });

  /** Events covered by the newest checkpoint this process published. */
  readonly auditTreeSize = new Gauge({
    name: 'audit_tree_size',
    help: 'Tree size of the newest audit checkpoint this process signed and published',
    registers: [this.own],
  });

  constructor() {
    this.registry = Registry.merge([this.own, sharedProcessMetrics()]);
  }

  /** Express middleware: labels by the matched route template, never the raw URL (ids, tokens). */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const stop = this.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
      stop({ method: req.method, route, status_code: String(res.statusCode) });
    });
    next();
  };
}
