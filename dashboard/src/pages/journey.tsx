import { useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useRouter } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { AppNav } from '../ui/app-nav.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { JourneyJsonEditor, journeyText } from './journey-editor.tsx';
import { JourneyFlow } from './journey-flow.tsx';
import { JourneyRuns } from './journey-runs.tsx';
import { JourneySimulate } from './journey-simulate.tsx';
import { useJourneyStats } from './journey-stats.tsx';
import type { Journey, JourneyStatus } from './journey-types.ts';
import { journeyStatusKey } from './journeys.tsx';

/** The lifecycle (docs/journeys.md#lifecycle): which move each status allows, and which are destructive. */
const CAN_ACTIVATE: JourneyStatus[] = ['draft', 'paused'];
const CAN_PAUSE: JourneyStatus[] = ['active'];
const CAN_ARCHIVE: JourneyStatus[] = ['draft', 'active', 'paused'];
const CAN_DELETE: JourneyStatus[] = ['draft', 'archived'];

/** One journey: its status and lifecycle, its steps as a flow with their counts, its latest runs, the simulation and its definition. */
export function JourneyPage({ appId, journeyId }: { appId: string; journeyId: string }) {
  const { t, number, date } = useI18n();
  const { session } = useSession();
  const editor = can(session, appId, 'editor');
  const journey = useLoad((signal) => call('getJourney', { params: { appId, id: journeyId }, signal }), [appId, journeyId]);
  // Reloads the runs and the counts with the journey after an action.
  const [loads, setLoads] = useState(0);
  const reload = () => {
    journey.reload();
    setLoads((n) => n + 1);
  };
  const stats = useJourneyStats(appId, journeyId, loads);
  if (journey.problem) return <div className="page"><AppNav appId={appId} /><ProblemMessage problem={journey.problem} /></div>;
  if (!journey.data) return <div className="page"><Loading /></div>;
  const j = journey.data;
  const steps = Array.isArray(j.definition.steps) ? j.definition.steps : [];
  return (
    <div className="page">
      <AppNav appId={appId} />
      <div className="page-head">
        <h1>{j.name}</h1>
        <span className={`status status-journey-${j.status}`} data-testid="journey-status">
          {t(journeyStatusKey(j.status))}
        </span>
      </div>
      <dl className="facts">
        <dt>{t('journey.id')}</dt>
        <dd><code>{j.id}</code></dd>
        <dt>{t('journeys.version')}</dt>
        <dd>{number(j.version)}</dd>
        <dt>{t('journeys.inFlight')}</dt>
        <dd data-testid="journey-active">{number(j.runs.active)}</dd>
        <dt>{t('journeys.ended')}</dt>
        <dd>{number(j.runs.ended)}</dd>
        <dt>{t('journey.trigger')}</dt>
        <dd><code className="wrap">{JSON.stringify(j.definition.trigger)}</code></dd>
        {j.definition.exit !== undefined && (
          <>
            <dt>{t('journey.exit')}</dt>
            <dd><code className="wrap">{JSON.stringify(j.definition.exit)}</code></dd>
          </>
        )}
        <dt>{t('journey.updated')}</dt>
        <dd>{date(j.updatedAt)}</dd>
      </dl>
      {editor && <Lifecycle appId={appId} journey={j} onMoved={reload} />}
      <Section title={t('journey.flow')}>
        {stats.summary}
        <JourneyFlow steps={steps} counts={stats.counts} />
      </Section>
      <JourneyRuns appId={appId} journeyId={journeyId} version={loads} onRefresh={reload} />
      <JourneySimulate appId={appId} journeyId={journeyId} />
      <Definition appId={appId} journey={j} editor={editor} onSaved={reload} />
    </div>
  );
}

/** Activate and pause at once (nothing is lost); archive and delete after a dialog that says what ends. */
function Lifecycle({ appId, journey, onMoved }: { appId: string; journey: Journey; onMoved(): void }) {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const params = { appId, id: journey.id };
  const activate = useSubmit(() => call('activateJourney', { params }), onMoved);
  const pause = useSubmit(() => call('pauseJourney', { params }), onMoved);
  return (
    <div className="actions">
      <div className="buttons">
        {CAN_ACTIVATE.includes(journey.status) && (
          <button type="button" disabled={activate.busy} onClick={() => void activate.onSubmit()}>
            {t('journey.activate')}
          </button>
        )}
        {CAN_PAUSE.includes(journey.status) && (
          <button type="button" className="secondary" disabled={pause.busy} onClick={() => void pause.onSubmit()}>
            {t('journey.pause')}
          </button>
        )}
        {CAN_ARCHIVE.includes(journey.status) && (
          <ConfirmButton
            label={t('journey.archive')}
            message={t('journey.archiveConfirm', { name: journey.name, active: journey.runs.active })}
            action={async () => {
              await call('archiveJourney', { params });
              onMoved();
            }}
          />
        )}
        {CAN_DELETE.includes(journey.status) && (
          <ConfirmButton
            label={t('common.delete')}
            title={t('journey.deleteTitle', { name: journey.name })}
            message={t('journey.deleteConfirm', { name: journey.name })}
            action={async () => {
              await call('deleteJourney', { params });
              navigate(`/apps/${appId}/journeys`);
            }}
          />
        )}
      </div>
      <ProblemMessage problem={activate.problem ?? pause.problem} />
    </div>
  );
}

/** The definition as JSON: editors change it (a new version once the journey has been active), viewers read it. */
function Definition({ appId, journey, editor, onSaved }: { appId: string; journey: Journey; editor: boolean; onSaved(): void }) {
  const { t } = useI18n();
  const saved = journeyText(journey.name, journey.definition);
  const [text, setText] = useState(saved);
  const [base, setBase] = useState(saved);
  // The journey changed under the editor (an action, a save): start again from what is saved.
  if (saved !== base) {
    setBase(saved);
    setText(saved);
  }
  const changeable = editor && journey.status !== 'archived';
  return (
    <Section title={t('journey.definitionTitle')}>
      {changeable && journey.status !== 'draft' && <p className="hint">{t('journey.newVersionHint')}</p>}
      <JourneyJsonEditor
        text={text}
        onText={setText}
        disabled={!changeable}
        saveLabel={t('common.save')}
        save={async (body) => {
          await call('updateJourney', { params: { appId, id: journey.id }, body });
          onSaved();
        }}
      />
    </Section>
  );
}
