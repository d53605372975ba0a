import { Type } from '@sinclair/typebox';

/** Schemas of the campaign estimate route (campaign-estimate.ts). */

const count = (description: string) => Type.Integer({ minimum: 0, description });

export const CampaignEstimate = Type.Object({
  audience: count('users the audience matches, before the excluded segment'),
  willSend: count('users it will be sent to when it goes (each on all their subscriptions)'),
  subscriptions: Type.Object({ webpush: Type.Integer({ minimum: 0 }), apns: Type.Integer({ minimum: 0 }), fcm: Type.Integer({ minimum: 0 }) }, { description: 'the subscriptions of those users, by channel' }),
  leftOut: Type.Object(
    {
      excluded: count('in the excluded segment'),
      no_subscription: count('in the audience, with no subscription'),
      suppressed: count('turned the campaign’s category off'),
      quiet_held: count('held by quiet hours at their due instant: sent when the window ends, and decided then'),
      passed: count('a local-time campaign whose time had passed for them, and skips such users'),
      holdout: count('drawn into the holdout (control group)'),
      capped: count('over a frequency cap of the app at the launch instant'),
      render_failed: count('a strict template lacks a value of theirs'),
    },
    { description: 'users left out, by why, in the order a send decides (each user counted once, at the first reason)' },
  ),
  at: Type.String({ format: 'date-time', description: 'the instant estimated for: now, the schedule’s `at`, or a recurring campaign’s first run' }),
  exact: Type.Boolean({ description: 'false: templates were rendered for a random sample of the audience (`sample` users) and render_failed scaled from it' }),
  sample: Type.Optional(Type.Integer({ minimum: 0, description: 'users whose templates were rendered, when not exact' })),
});
