import type { Context } from '../context.ts';
import type { Personalised, PersonalisedNotification, PersonalRecipient, Personaliser } from '../delivery/personaliser.ts';
import type { OutgoingMessage } from '../providers/channel.ts';
import { prepare, type CampaignDefinition, type PreparedCampaign } from './campaign-definition.ts';
import { ContentRenderer, type RenderContext, type RenderResult } from './content/index.ts';
import { assignVariant, capDetail, cappedUsers, placeRecipient, validateCapRules, type CapRule } from './policy/index.ts';
import { inWaveWindows, type Wave } from './waves.ts';

/** A wave as the personaliser reads it; a test send's wave says so. */
type StoredWave = Partial<Wave> & { test?: boolean; variant?: string };

interface CampaignState {
  updatedAt: number;
  prepared: PreparedCampaign;
}

const USERS_PER_QUERY = 1_000;

/**
 * Campaign waves, recipient by recipient: the variant (or the holdout) each user is drawn,
 * the app's frequency caps (unless the campaign ignores them, or it is a test), and the
 * user's version of the content rendered with Liquid, once per distinct rendering (the
 * recipients who render the same share one message object, so one payload build). Other
 * notifications go to `plain`.
 */
export function campaignPersonaliser(ctx: Context, plain: Personaliser): Personaliser {
  const campaigns = new Map<string, CampaignState>();
  const db = ctx.store.db;

  async function campaignOf(id: string): Promise<PreparedCampaign | null> {
    const row = await db.selectFrom('campaigns').select(['definition', 'updated_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const cached = campaigns.get(id);
    if (cached && cached.updatedAt === row.updated_at) return cached.prepared;
    const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition);
    if (campaigns.size > 100) campaigns.clear();
    campaigns.set(id, { updatedAt: row.updated_at, prepared });
    return prepared;
  }

  return {
    async personalise(n: PersonalisedNotification, recipients: readonly PersonalRecipient[], base: OutgoingMessage): Promise<Personalised[]> {
      const row = await db.selectFrom('notifications').select(['campaign_id', 'campaign_run', 'wave']).where('id', '=', n.id).executeTakeFirst();
      if (!row?.campaign_id) return plain.personalise(n, recipients, base);
      const campaignId = row.campaign_id;
      const wave = JSON.parse(row.wave ?? '{}') as StoredWave;
      const test = wave.test === true;
      const waveTags = { campaignId, test, ...(wave.timing ? { timing: wave.timing } : {}) };
      const prepared = await campaignOf(campaignId);
      if (!prepared) return recipients.map(() => ({ skip: { reason: 'render_failed', detail: 'the campaign was deleted' }, tags: waveTags }));
      const d = prepared.definition;

      const seqs = [...new Set(recipients.map((r) => r.userSeq).filter((s): s is number => s !== null))];
      const users = new Map<number, RenderContext['user']>();
      const quietOf = new Map<number, string | null>();
      for (let i = 0; i < seqs.length; i += USERS_PER_QUERY) {
        const rows = await db.selectFrom('users').select(['seq', 'external_id', 'language', 'timezone', 'country', 'attributes', 'quiet_hours']).where('seq', 'in', seqs.slice(i, i + USERS_PER_QUERY)).execute();
        for (const u of rows) quietOf.set(Number(u.seq), u.quiet_hours);
        for (const u of rows) users.set(Number(u.seq), { id: u.external_id, language: u.language, timezone: u.timezone, country: u.country, attributes: JSON.parse(u.attributes) as Record<string, unknown> });
      }
      // An intelligent wave: each user's own timing, as planned at launch (the best hour and whose it was).
      const ownTiming = new Map<number, unknown>();
      if (wave.planned) {
        for (let i = 0; i < seqs.length; i += USERS_PER_QUERY) {
          const rows = await db.selectFrom('campaign_user_plans').select(['user_seq', 'timing']).where('campaign_id', '=', campaignId).where('run', '=', Number(row.campaign_run)).where('user_seq', 'in', seqs.slice(i, i + USERS_PER_QUERY)).execute();
          for (const p of rows) ownTiming.set(Number(p.user_seq), JSON.parse(p.timing));
        }
      }
      const app = await db.selectFrom('apps').select(['name', 'globals', 'cap_rules']).where('id', '=', n.appId).executeTakeFirstOrThrow();
      const globals = app.globals === null ? {} : (JSON.parse(app.globals) as Record<string, unknown>);
      const rules: CapRule[] = app.cap_rules === null || test || d.capping?.ignore ? [] : validateCapRules(JSON.parse(app.cap_rules));
      const capped = rules.length === 0 ? new Map() : await cappedUsers(db, n.appId, seqs, n.category, ctx.now(), rules, { notificationId: n.id });

      const renderers = new Map<string | null, ContentRenderer>();
      const rendererOf = (variant: string | null) => {
        let r = renderers.get(variant);
        if (!r) renderers.set(variant, (r = new ContentRenderer(variant === null ? prepared.content : (prepared.variantContent.get(variant) ?? prepared.content))));
        return r;
      };
      const messages = new Map<RenderResult, OutgoingMessage>();
      // One app context and one set of tags per variant for the page: a render only reads
      // them, and a send record only keeps them.
      const appContext: RenderContext['app'] = { name: app.name, globals };
      const variantTags = new Map<string | null, Personalised['tags']>();

      return recipients.map((r): Personalised => {
        const user = r.userSeq === null ? undefined : users.get(r.userSeq);
        const planned = r.userSeq === null ? undefined : ownTiming.get(r.userSeq);
        const tags = planned === undefined ? waveTags : { ...waveTags, timing: planned };
        const key = r.externalId ?? r.subscriptionId;
        // A zone split over waves by users' own quiet hours: the others of the zone are another wave's.
        if (wave.windows) {
          const tz = user?.timezone ?? null;
          const zone = tz !== null && wave.zones?.includes(tz) ? tz : '';
          if (!inWaveWindows(wave.windows[zone], r.userSeq === null ? null : (quietOf.get(r.userSeq) ?? null))) return { omit: true };
        }
        // The local time had passed at launch: the whole audience of the wave, test group and
        // rest alike, is recorded so once (a winner mode's second phase leaves those zones out).
        if (wave.skip === 'passed') {
          if (prepared.variants && placeRecipient(campaignId, key, prepared.variants).kind === 'holdout') return { skip: { reason: 'holdout', detail: 'control group: sent nothing, to measure lift' }, tags };
          return { skip: { reason: 'passed', detail: 'the local time had passed at launch' }, tags };
        }
        let variant: string | null = null;
        if (test) {
          // A test shows the operator a variant: the one asked for, else the user's own; never the holdout.
          if (prepared.variants) variant = wave.variant ?? (assignVariant(campaignId, key, prepared.variants.split, 0) as { variant: string }).variant;
        } else if (prepared.variants) {
          const place = placeRecipient(campaignId, key, prepared.variants);
          // Winner mode: the first phase is the holdout and the test group; the second, the rest.
          if (wave.phase === 'winner' || wave.phase === 'stopped') {
            if (place.kind !== 'rest') return { omit: true };
            if (wave.phase === 'stopped') return { skip: { reason: 'no_winner', detail: 'the A/B test found no winner and the campaign stops there' }, tags };
            variant = wave.variant ?? null;
          } else {
            if (place.kind === 'holdout') return { skip: { reason: 'holdout', detail: 'control group: sent nothing, to measure lift' }, tags };
            if (place.kind === 'rest') return { omit: true };
            variant = place.variant;
          }
        }
        let own = planned === undefined ? variantTags.get(variant) : undefined;
        if (!own) {
          own = { ...tags, variant };
          if (planned === undefined) variantTags.set(variant, own);
        }
        const hit = r.userSeq === null ? undefined : capped.get(r.userSeq);
        if (hit) return { skip: { reason: 'capped', detail: capDetail(hit.rule, hit.index) }, tags: own };
        const context: RenderContext = {
          user: user ?? { id: r.externalId ?? '', language: null, timezone: null, country: null, attributes: {} },
          app: appContext,
        };
        const result = rendererOf(variant).render(context);
        if (!result.ok) return { skip: { reason: 'render_failed', detail: result.detail }, tags: own };
        let message = messages.get(result);
        if (!message) messages.set(result, (message = { ...base, content: result.content }));
        return { message, tags: own };
      });
    },
  };
}
