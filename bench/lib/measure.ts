import { performance } from 'node:perf_hooks';

/** How many times to run an operation: first unmeasured, then measured. */
export interface LoopPlan {
  readonly warmup: number;
  readonly iterations: number;
}

/**
 * Runs `operation` sequentially (never overlapping, so each sample is one operation's latency): `warmup` times
 * unmeasured, then `iterations` times measured. Returns the samples in milliseconds.
 */
export async function measureSequential(
  plan: LoopPlan,
  operation: (iteration: number) => Promise<void>,
): Promise<number[]> {
  for (let i = 0; i < plan.warmup; i++) await operation(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < plan.iterations; i++) {
    const start = performance.now();
    await operation(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/**
 * CPU-bound variant for sub-millisecond operations: runs batches of `batchSize` operations back to back and
 * records the mean per operation of each batch, so the timer's own cost and resolution do not dominate.
 */
export async function measureBatched(
  plan: LoopPlan & { readonly batchSize: number },
  operation: () => Promise<void>,
): Promise<number[]> {
  for (let i = 0; i < plan.warmup * plan.batchSize; i++) await operation();
  const samples: number[] = [];
  for (let batch = 0; batch < plan.iterations; batch++) {
    const start = performance.now();
    for (let i = 0; i < plan.batchSize; i++) await operation();
    samples.push((performance.now() - start) / plan.batchSize);
  }
  return samples;
}
