import type { LifecycleResult } from '../core/ports.js';
import { domainIfAny, lifecycleOptionsOf, type AppContext } from './context.js';
import { declaredPersonalData } from './personal-data.js';

/**
 * `forget`: the subject's keys are deleted, so their sealed fields read as "[forgotten]" on
 * every path. With the domain at hand, its declared fields that were stored unsealed (by
 * `append` or `import`) are overwritten too. Audited; see docs/lifecycle.md.
 */
export async function forgetSubject(ctx: AppContext, subject: string): Promise<LifecycleResult> {
  const domain = await domainIfAny(ctx);
  return ctx.store.forgetSubject(subject, {
    declared: domain && declaredPersonalData(domain),
    ...lifecycleOptionsOf(ctx),
  });
}
