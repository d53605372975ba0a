/**
 * An app's journeys in the dashboard: a journey made with the API is listed (status,
 * version, runs in flight) and opened; its steps are drawn as a flow (update, branch with
 * then and else, waitFor with matched and timed out, a split with its weights, sends with
 * their titles), each at its JSON pointer with its counts (getJourneyStats); an editor
 * activates it, a tracked event starts a run that the page shows at its step, counted
 * there, with its timeline; pause and activate again; a simulation of a made-up user and a
 * stored one shows its timeline and stores nothing, and a refusal at its field; a refused
 * save shows the problem's pointer at the field and changes nothing; a new journey from a
 * template is saved as a draft, archived and deleted, each destructive move confirmed; a
 * viewer sees no button that changes anything (a simulation they may run), and their
 * forged call is refused; the page in French. Accessibility at both widths; the
 * screenshots journeys, journey and journey-new.
 *
 * No clock is needed: the run waits (for an event, two days) at the step the test looks
 * at, and the engine's moves up to there happen on the event's own job, which the test
 * waits for by reading the runs, not by sleeping a fixed time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, adminKeyOf, PASSWORD, type Fixture } from '../fixture.ts';

// Operators of their own: the other suites' have spent some of their sign-in attempts.
const EDITOR = 'journeys-editor@example.org';
const VIEWER = 'journeys-viewer@example.org';

const CART = {
  name: 'Abandoned cart',
  trigger: { event: 'cart_updated' },
  exit: { events: ['purchase'] },
  steps: [
    { update: { attributes: { cartReminded: true } } },
    { branch: { filter: { attribute: 'plan', op: 'eq', value: 'pro' }, then: [{ send: { content: { en: { title: 'Pro perks on {{ event.properties.item }}' } } } }], else: [] } },
    {
      waitFor: {
        event: 'checkout_started',
        within: '2d',
        matched: [{ send: { content: { en: { title: 'Finish your order' } } } }],
        timedOut: [{ split: { paths: [{ weight: 3, steps: [{ send: { content: { en: { title: 'You left {{ event.properties.item }} in your cart' } } } }] }, { weight: 1, steps: [] }] } }],
      },
    },
    { wait: { duration: '1d' } },
  ],
};

interface CreatedApp {
  id: string;
  secretKey: string;
}

export function journeysSuite(fx: () => Fixture): void {
  let app: CreatedApp;
  let journeyId = '';

  const adminKey = () => adminKeyOf(fx());
  const call = (method: string, path: string, body?: unknown, key = app.secretKey) => apiCall(fx(), method, path, body, key);
  async function signIn(email: string) {
    await fx().browser.context.clearCookies();
    await fx().signIn(email);
  }
  const url = (path: string) => `${fx().server.url}/dashboard/apps/${app.id}${path}`;
  const step = (pointer: string) => fx().page.locator(`[data-step="${pointer}"] > .flow-card`);
  const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
  /** A step's card as read: its kind, pointer and summary, spaces collapsed. */
  const stepText = async (pointer: string) => collapse(`${await step(pointer).locator('.flow-kind').innerText()} ${await step(pointer).locator('.flow-summary').innerText()}`);
  /** A step's counts (getJourneyStats), as its card shows them. */
  const countsText = async (pointer: string) => collapse(await step(pointer).locator('.flow-counts').innerText());

  test('a journey made with the API is listed and drawn as a flow, every step at its pointer', async () => {
    const made = await call('POST', '/v1/apps', { name: 'Travel shop' }, adminKey());
    assert.equal(made.status, 201, JSON.stringify(made.body));
    app = made.body;
    for (const [email, role] of [[EDITOR, 'editor'], [VIEWER, 'viewer']] as const) {
      assert.equal((await call('POST', '/v1/operators', { email, password: PASSWORD }, adminKey())).status, 201);
      assert.equal((await call('POST', `/v1/apps/${app.id}/members`, { email, role }, adminKey())).status, 200);
    }
    const journey = await call('POST', `/v1/apps/${app.id}/journeys`, CART);
    assert.equal(journey.status, 201, JSON.stringify(journey.body));
    journeyId = journey.body.id;

    const { page } = fx();
    await signIn(EDITOR);
    await page.goto(url(''));
    await page.getByRole('navigation', { name: 'The app’s pages' }).getByRole('link', { name: 'Journeys' }).click();
    await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
    const row = page.getByRole('row', { name: /Abandoned cart/ });
    await row.waitFor();
    assert.deepEqual(await row.getByRole('cell').allInnerTexts(), ['Abandoned cart', 'Draft', '1', '0', '0']);
    await fx().checkAccessibility('journeys');
    await row.getByRole('link', { name: 'Abandoned cart' }).click();
    await page.getByRole('heading', { name: 'Abandoned cart', level: 1 }).waitFor();
    assert.equal(await page.getByTestId('journey-status').innerText(), 'Draft');

    const flow = [
      ['/steps/0', /^Update \/steps\/0\s+sets cartReminded$/],
      ['/steps/1', /^Branch \/steps\/1\s+if \{"attribute":"plan","op":"eq","value":"pro"\}$/],
      ['/steps/1/branch/then/0', /^Send .*\s+the title Pro perks on \{\{ event.properties.item \}\}$/],
      ['/steps/2', /^Wait for an event \/steps\/2\s+checkout_started, for up to 2d$/],
      ['/steps/2/waitFor/matched/0', /the title Finish your order$/],
      ['/steps/2/waitFor/timedOut/0', /^Split .*\s+into 2 paths by weight$/],
      ['/steps/2/waitFor/timedOut/0/split/paths/0/steps/0', /the title You left \{\{ event.properties.item \}\} in your cart$/],
      ['/steps/3', /^Wait \/steps\/3\s+for 1d$/],
    ] as const;
    for (const [pointer, text] of flow) assert.match(await stepText(pointer), text, pointer);
    // The lists a step holds, under their names: else is empty, and the split's weights are shares.
    const branch = page.locator('[data-step="/steps/1"] > .flow-paths');
    assert.deepEqual(await branch.locator('.flow-path-label').allInnerTexts(), ['Then', 'Else']);
    assert.equal((await branch.locator('.flow-path').nth(1).innerText()).replace(/\s+/g, ' '), 'Else No step: the run goes on after.');
    assert.deepEqual(await page.locator('[data-step="/steps/2"] > .flow-paths > .flow-path > .flow-path-label').allInnerTexts(), ['checkout_started came', 'Timed out']);
    assert.deepEqual(await page.locator('[data-step="/steps/2/waitFor/timedOut/0"] .flow-path-label').allInnerTexts(), ['Path 1: weight 3 (75%)', 'Path 2: weight 1 (25%)']);
    await page.getByText('No run yet.').waitFor();
    // The counts of the stats endpoint, every step at zero.
    assert.equal(await countsText('/steps/0'), 'Entered 0 Here now 0');
    assert.equal(await countsText('/steps/2/waitFor/matched/0'), 'Entered 0 Here now 0 Sent 0 Skipped 0');
    assert.equal(await page.locator('.flow-counts').count(), flow.length);
    await fx().checkAccessibility('a draft journey');
  });

  test('an editor activates the journey; a tracked event starts a run, shown at its step with its timeline', async () => {
    const { page } = fx();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByTestId('journey-status').filter({ hasText: 'Active' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Activate' }).count(), 0);
    await page.getByRole('button', { name: 'Pause' }).waitFor();

    const tracked = await call('POST', `/v1/apps/${app.id}/track`, { events: [{ userId: 'ann', name: 'cart_updated', properties: { item: 'Blue kettle' } }] });
    assert.equal(tracked.status, 200, JSON.stringify(tracked.body));
    // The event reaches the journey through its job: the run is read until it waits at the waitFor.
    let run: { step: string | null; waitingFor: string | null } | undefined;
    for (let i = 0; i < 200 && run?.waitingFor !== 'checkout_started'; i++) {
      run = (await call('GET', `/v1/apps/${app.id}/journeys/${journeyId}/runs?userId=ann`)).body.data[0];
      if (run?.waitingFor !== 'checkout_started') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(run?.step, '/steps/2');

    await page.getByRole('button', { name: 'Refresh' }).click();
    const runRow = page.getByRole('row', { name: /ann/ });
    await runRow.waitFor();
    const cells = await runRow.getByRole('cell').allInnerTexts();
    assert.deepEqual(cells.slice(0, 3), ['ann', 'In flight', '/steps/2']);
    assert.match(cells[4]!, /^due /);
    await runRow.getByRole('button', { name: 'ann' }).click();
    await page.getByRole('heading', { name: 'Timeline of ann (version 1)' }).waitFor();
    // Each entry without its time: its step, what happened, its detail.
    const timeline = await page.locator('.timeline li').evaluateAll((lis) => lis.map((li) => [...li.childNodes].filter((n) => n.nodeName !== 'TIME').map((n) => n.textContent).join('').trim()));
    assert.ok(timeline.some((l) => l.startsWith('entered on cart_updated')), timeline.join('\n'));
    assert.ok(timeline.some((l) => /^\/steps\/0 updated · cartReminded$/.test(l)), timeline.join('\n'));
    assert.ok(timeline.some((l) => /^\/steps\/1 branch: else$/.test(l)), timeline.join('\n'));
    assert.ok(timeline.some((l) => l.startsWith('/steps/2 waiting for checkout_started')), timeline.join('\n'));

    // The run is counted with the journey, on its page and in the list, and at each step it passed.
    await page.reload();
    await page.getByTestId('journey-active').filter({ hasText: '1' }).waitFor();
    assert.equal(await countsText('/steps/0'), 'Entered 1 Here now 0');
    assert.equal(await countsText('/steps/1'), 'Entered 1 Here now 0');
    assert.equal(await countsText('/steps/1/branch/then/0'), 'Entered 0 Here now 0 Sent 0 Skipped 0');
    assert.equal(await countsText('/steps/2'), 'Entered 1 Here now 1');
    assert.equal(await countsText('/steps/3'), 'Entered 0 Here now 0');
    assert.deepEqual((await page.locator('.journey-figures dd').allInnerTexts()), ['1', '0', '0'], 'in flight, ended, converted');
    await fx().checkAccessibility('an active journey with a run');
    await fx().screenshot('journey');
    await page.goto(url('/journeys'));
    const row = page.getByRole('row', { name: /Abandoned cart/ });
    await row.waitFor();
    assert.deepEqual(await row.getByRole('cell').allInnerTexts(), ['Abandoned cart', 'Active', '1', '1', '0']);

    // Pause takes no one new in, and Activate again: neither asks first, nothing is lost.
    await row.getByRole('link', { name: 'Abandoned cart' }).click();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('journey-status').filter({ hasText: 'Paused' }).waitFor();
    assert.equal((await call('GET', `/v1/apps/${app.id}/journeys/${journeyId}`)).body.status, 'paused');
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByTestId('journey-status').filter({ hasText: 'Active' }).waitFor();
    assert.equal(await page.getByTestId('journey-active').innerText(), '1');
  });

  test('a simulation runs a made-up user and a stored one on a virtual clock, sends nothing, and shows a refusal at its field', async () => {
    const { page } = fx();
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'Simulate', level: 2 }) });
    await form.getByLabel('A made-up user').check();
    await form.getByLabel('Attributes (JSON)').fill('{"plan": "pro"}');
    await form.getByLabel('Events during the run (JSON)').fill('[{"name": "checkout_started", "at": "+1h"}]');
    await form.getByLabel('Trigger event properties (JSON)').fill('{"item": "Blue kettle"}');
    await form.getByRole('button', { name: 'Simulate' }).click();
    const result = form.getByRole('status');
    await result.getByText('The run ends: completed.').waitFor();
    const lines = await result.locator('.timeline li').evaluateAll((lis) => lis.map((li) => [...li.childNodes].filter((n) => n.nodeName !== 'TIME').map((n) => n.textContent).join('').trim()));
    const whats = lines.map((l) => l.replace(/ · .*$/, ''));
    assert.deepEqual(whats, ['entered', '/steps/0 updated', '/steps/1 branch', '/steps/1/branch/then/0 sent', '/steps/2 waiting', '/steps/2 event', '/steps/2 matched', '/steps/2/waitFor/matched/0 sent', '/steps/3 waiting', '/steps/3 waited', 'completed'], lines.join('\n'));
    // A send shows what this user would get, rendered with the trigger event.
    assert.match(lines[3]!, /title: Pro perks on Blue kettle/);
    assert.match(lines[2]!, /path: then/);
    await fx().checkAccessibility('a simulation');

    await form.getByLabel('Events during the run (JSON)').fill('[{"name": "checkout_started", "at": "2h"}]');
    await form.getByRole('button', { name: 'Simulate' }).click();
    const error = form.locator('.field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /^\/events\/0\/at: .*offset/);
    assert.equal(await form.getByLabel('Events during the run (JSON)').getAttribute('aria-invalid'), 'true');
    assert.equal(await result.count(), 0, 'no timeline for a refused simulation');

    await form.getByLabel('A stored user, as they are now').check();
    await form.getByLabel('User (external id)').fill('ann');
    await form.getByLabel('Events during the run (JSON)').fill('[]');
    await form.getByLabel('Trigger event properties (JSON)').fill('{}');
    await form.getByRole('button', { name: 'Simulate' }).click();
    await result.getByText('The run ends: completed.').waitFor();
    assert.ok((await result.locator('.timeline li').allInnerTexts()).some((l) => /\/steps\/2 timed_out/.test(l)));
    // Nothing was stored: ann has her one run, still waiting; the counts did not move.
    const runs = (await call('GET', `/v1/apps/${app.id}/journeys/${journeyId}/runs`)).body.data;
    assert.deepEqual(runs.map((r: { userId: string; state: string }) => [r.userId, r.state]), [['ann', 'active']]);
    const stats = (await call('GET', `/v1/apps/${app.id}/journeys/${journeyId}/stats`)).body;
    assert.deepEqual(stats.runs, { active: 1, ended: 0, converted: 0 });
  });

  test('a refused save shows the problem’s pointer at the field, and nothing changes', async () => {
    const { page } = fx();
    await page.goto(url(`/journeys/${journeyId}`));
    const field = page.getByLabel('The journey as JSON');
    const bad = { ...CART, steps: [...CART.steps.slice(0, 3), { wait: { duration: 'soon' } }] };
    await field.fill(JSON.stringify(bad, null, 2));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const error = page.locator('.field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /^At \/steps\/3\/wait\/duration: [^/].+ invalid_journey$/);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await fx().checkAccessibility('a refused save');
    const after = await call('GET', `/v1/apps/${app.id}/journeys/${journeyId}`);
    assert.equal(after.body.version, 1);
    assert.deepEqual(after.body.definition.steps, CART.steps);
    // Text that is no JSON is refused before any call.
    await field.fill('{ "name": ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.field-error').filter({ hasText: /^This is not JSON: / }).waitFor();
  });

  test('a new journey is saved as a draft from the editor, refused first at its pointer, then archived and deleted after confirmations', async () => {
    const { page } = fx();
    await page.goto(url('/journeys'));
    await page.getByRole('link', { name: 'New journey' }).click();
    await page.getByRole('heading', { name: 'New journey', level: 1 }).waitFor();
    const field = page.getByLabel('The journey as JSON');
    const blank = JSON.parse(await field.inputValue());
    assert.ok(Array.isArray(blank.steps) && blank.steps.length > 0, 'the editor starts from a journey to change');
    // A template of the API fills the editor with its body.
    await page.getByRole('button', { name: 'Use “Appointment reminder”' }).click();
    const draft = JSON.parse(await field.inputValue());
    assert.equal(draft.name, 'Appointment reminder');
    assert.equal(draft.trigger.event, 'appointment_booked');
    assert.equal(draft.steps[0].wait.untilEventTime, 'startsAt');
    await fx().screenshot('journey-new');
    await field.fill(JSON.stringify({ ...draft, name: 'Welcome', steps: [{ jump: {} }] }));
    await page.getByRole('button', { name: 'Save as a draft' }).click();
    await page.locator('.field-error').filter({ hasText: /^At \/steps\/0\/jump: unknown step kind .+ invalid_journey$/ }).waitFor();
    await fx().checkAccessibility('a new journey refused');
    await field.fill(JSON.stringify({ ...draft, name: 'Welcome' }));
    await page.getByRole('button', { name: 'Save as a draft' }).click();
    await page.getByRole('heading', { name: 'Welcome', level: 1 }).waitFor();
    assert.equal(await page.getByTestId('journey-status').innerText(), 'Draft');
    assert.match(await stepText('/steps/0'), /^Wait \/steps\/0 until 1d before the event’s startsAt$/);
    const welcomeId = (await page.locator('.facts code').first().innerText()).trim();

    // Archive asks first; Cancel changes nothing.
    await page.getByRole('button', { name: 'Archive' }).click();
    const dialog = page.getByRole('dialog', { name: 'Archive' });
    await dialog.getByText('“Welcome” stops for good').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await call('GET', `/v1/apps/${app.id}/journeys/${welcomeId}`)).body.status, 'draft');
    await page.getByRole('button', { name: 'Archive' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('journey-status').filter({ hasText: 'Archived' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save', exact: true }).count(), 0, 'an archived journey is not changed');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete “Welcome”' }).getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
    await page.getByRole('row', { name: /Abandoned cart/ }).waitFor();
    assert.equal(await page.getByRole('row', { name: /Welcome/ }).count(), 0);
    assert.equal((await call('GET', `/v1/apps/${app.id}/journeys/${welcomeId}`)).status, 404);
    await fx().screenshot('journeys');
    await fx().signOut();
  });

  test('a viewer reads the journey with no button that changes it; the forged call is refused; in French too', async () => {
    const { page } = fx();
    await signIn(VIEWER);
    await page.goto(url('/journeys'));
    await page.getByRole('row', { name: /Abandoned cart/ }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'New journey' }).count(), 0);
    await page.getByRole('link', { name: 'Abandoned cart' }).click();
    await page.getByRole('heading', { name: 'Abandoned cart', level: 1 }).waitFor();
    await step('/steps/2').waitFor();
    await page.getByRole('row', { name: /ann/ }).waitFor();
    for (const name of ['Activate', 'Pause', 'Archive', 'Delete', 'Save']) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    assert.equal(await page.getByLabel('The journey as JSON').isDisabled(), true);
    await fx().checkAccessibility('a journey, read by a viewer');
    const forged = await fx().fetchInPage('POST', `/v1/apps/${app.id}/journeys/${journeyId}/pause`);
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, 'role_forbidden');
    assert.equal((await call('GET', `/v1/apps/${app.id}/journeys/${journeyId}`)).body.status, 'active');
    // A simulation changes nothing: a viewer may run one.
    const form = page.locator('section', { has: page.getByRole('heading', { name: 'Simulate', level: 2 }) });
    await form.getByLabel('User (external id)').fill('ann');
    await form.getByRole('button', { name: 'Simulate' }).click();
    await form.getByRole('status').getByText('The run ends: completed.').waitFor();

    await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
    await page.getByRole('heading', { name: 'Étapes' }).waitFor();
    assert.match(await stepText('/steps/2'), /^Attendre un événement \/steps\/2 checkout_started, pendant au plus 2d$/);
    assert.deepEqual(await page.locator('[data-step="/steps/1"] > .flow-paths .flow-path-label').allInnerTexts(), ['Alors', 'Sinon']);
    await page.getByRole('row', { name: /ann/ }).getByRole('cell').nth(1).filter({ hasText: 'En cours' }).waitFor();
    await fx().checkAccessibility('a journey in French');
    // The choice is kept for the suites after this one: English again.
    await page.getByRole('combobox', { name: 'Langue' }).selectOption('en');
    await page.getByRole('heading', { name: 'Steps' }).waitFor();
    await fx().signOut();
  });
}
