import { MetricsService } from './metrics.service';

describe('MetricsService', () => {
  it('gives each app its own metrics and shares the process metrics, started once, between apps in one process', async () => {
    const first = new MetricsService();
    const second = new MetricsService();
    first.auditTreeSize.set(5);
    second.auditTreeSize.set(7);

    const [a, b] = [await first.registry.metrics(), await second.registry.metrics()];
    expect(a).toMatch(/^audit_tree_size 5$/m);
    expect(b).toMatch(/^audit_tree_size 7$/m);
    for (const text of [a, b]) {
      expect(text).toContain('process_resident_memory_bytes');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    }
    // The event-loop sampler and the GC watcher behind these run for the process's life: one set, not one per app.
    const lag = 'nodejs_eventloop_lag_seconds';
    expect(first.registry.getSingleMetric(lag)).toBeDefined();
    expect(first.registry.getSingleMetric(lag)).toBe(second.registry.getSingleMetric(lag));
    expect(first.registry.getSingleMetric('audit_tree_size')).not.toBe(second.registry.getSingleMetric('audit_tree_size'));
  });
});
