import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per app instance (tests start several in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** 1 while the last scheduled verification found the audit log holding to its checkpoints, 0 when it did not. */
  readonly auditChainIntact = new Gauge({
    name: 'audit_chain_intact',
    help: 'Result of the last scheduled audit-chain verification (1 intact, 0 broken)',
    registers: [this.registry],
  });

  /** Events covered by the newest checkpoint this process published. */
  readonly auditTreeSize = new Gauge({
    name: 'audit_tree_size',
    help: 'Tree size of the newest audit checkpoint this process signed and published',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
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
