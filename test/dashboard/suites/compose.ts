/**
 * The Compose page end to end, as issue #14's "Done when" has it: an editor builds a segment
 * and sees its size change, composes with two languages and a Liquid field (an emoji put in
 * with the keyboard), previews as a random and a chosen real user (rendered by the server),
 * checks what each platform shows (the cut title, no image on Firefox, no buttons on iOS), sees
 * a template error at its field, sends a test to a real subscription (the loopback push
 * service of test/support/push-sink.ts, which decrypts), confirms who receives it and who is
 * left out, launches, and sees delivered and clicked move on the campaign's page (the click
 * reported as the SDK's service worker reports it). A viewer has no button to send, and their
 * forged calls are refused with a code. axe at both widths; the screenshot compose.png.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PASSWORD, type Fixture } from '../fixture.ts';
import { startPushSink, type PushSink } from '../../support/push-sink.ts';
import { withUserProof } from '../../support/carillon.ts';

const EDITOR = 'baker-editor@example.org';
const VIEWER = 'baker-viewer@example.org';
const PEOPLE = [
  { id: 'amy', language: 'fr-CA', attributes: { firstName: 'Amy', plan: 'pro' } },
  { id: 'ben', language: 'en-GB', attributes: { firstName: 'Ben', plan: 'pro' } },
  { id: 'cat', language: 'en', attributes: { firstName: 'Cat', plan: 'free' } },
];
const TITLE_EN = 'Fresh croissants for you, {{ user.attributes.firstName | default: "friend" }}! Come early';
const TITLE_FR = 'Des croissants pour vous, {{ user.attributes.firstName | default: "ami" }}';
const BODY = 'Baked at dawn, buttery and warm, two for the price of one until noon today only.';

/** As compose-platforms.ts cuts: the first `n` code points, trailing space trimmed, an ellipsis. */
const cutAt = (s: string, n: number) => (Array.from(s).length <= n ? s : `${Array.from(s).slice(0, n).join('').trimEnd()}…`);

export function composeSuite(fx: () => Fixture): void {
  let app: { id: string; secretKey: string; publishableKey: string; identitySecret: string };
  let sink: PushSink | undefined;
  const sinkSub = new Map<string, string>(); // user -> sink subscription id
  const subId = new Map<string, string>(); // user -> Carillon subscription id
  let campaignId = '';

  async function api(method: string, path: string, body?: unknown, key = app.secretKey): Promise<{ status: number; body: any }> {
    const res = await fetch(`${fx().server.url}/v1/apps/${app.id}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  async function admin(method: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
    const key = /Admin key: (crl_ak_\S+)/.exec(fx().server.output())?.[1];
    assert.ok(key, 'the first start prints the admin key');
    const res = await fetch(`${fx().server.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }
  const open = (path: string) => fx().page.goto(`${fx().server.url}/dashboard/apps/${app.id}${path}`);
  const preview = (platform: string) => fx().page.locator(`[data-platform="${platform}"]`);

  after(async () => {
    await sink?.close();
  });

  test('an app with an editor, a viewer and three users each with a browser at a loopback push service', async () => {
    const made = await admin('POST', '/v1/apps', { name: 'Bakery' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    app = made.body;
    for (const [email, role] of [[EDITOR, 'editor'], [VIEWER, 'viewer']]) {
      assert.equal((await admin('POST', '/v1/operators', { email, password: PASSWORD })).status, 201);
      assert.equal((await admin('POST', `/v1/apps/${app.id}/members`, { email, role })).status, 200);
    }
    sink = await startPushSink();
    for (const p of PEOPLE) {
      const s = sink.subscribe();
      const res = await api('POST', '/subscriptions', withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: p.id }), app.publishableKey);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      sinkSub.set(p.id, s.id);
      subId.set(p.id, res.body.id);
      assert.equal((await api('PUT', `/users/${p.id}`, { language: p.language, attributes: p.attributes })).status, 200);
    }
    // A segment to leave out, made through the API as a script would.
    assert.equal((await api('POST', '/segments', { name: 'Ben alone', filter: { attribute: 'firstName', op: 'eq', value: 'Ben' } })).status, 201);
  });

  test('an editor builds a segment and sees its size change', async () => {
    const { page } = fx();
    await fx().signIn(EDITOR);
    await open('/segments/new');
    const root = page.getByRole('group', { name: 'Who is in it' });
    await root.getByLabel('New condition').selectOption('attribute');
    await root.getByRole('button', { name: 'Add Who is in it' }).click();
    const plan = page.getByRole('group', { name: 'Condition 1: Attribute' });
    await plan.getByLabel('Attribute').fill('plan');
    await plan.getByLabel('Value').fill('free');
    await page.getByTestId('audience-users').filter({ hasText: /^1$/ }).waitFor();
    await plan.getByLabel('Value').fill('pro');
    await page.getByTestId('audience-users').filter({ hasText: /^2$/ }).waitFor();
    await page.getByLabel('Name').fill('Pro bakers');
    await page.getByRole('button', { name: 'Create a segment' }).click();
    await page.getByRole('heading', { name: 'Pro bakers', level: 1 }).waitFor();
  });

  test('composing: two languages, a Liquid field, an emoji by keyboard, the audience with its live size', async () => {
    const { page } = fx();
    // The way in: the campaigns page, and the app's navigation.
    await open('/campaigns');
    await page.getByRole('navigation', { name: 'The app’s pages' }).getByRole('link', { name: 'Compose' }).waitFor();
    await page.getByRole('link', { name: 'Compose a campaign' }).click();
    await page.getByRole('heading', { name: 'Compose a campaign', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('Croissant day');
    await page.getByLabel('Category').selectOption('promotions');

    await page.getByLabel('Segment', { exact: true }).last().selectOption({ label: 'Pro bakers' });
    await page.getByTestId('compose-size').filter({ hasText: /^2$/ }).waitFor();
    await page.getByLabel('Leave out a segment').selectOption({ label: 'Ben alone' });
    await page.getByTestId('compose-size').filter({ hasText: /^1$/ }).waitFor();
    await page.getByLabel('Leave out a segment').selectOption({ label: 'Nobody' });
    await page.getByTestId('compose-size').filter({ hasText: /^2$/ }).waitFor();

    const title = page.getByLabel('Title', { exact: true });
    await title.fill(TITLE_EN);
    await page.getByLabel('Body').fill(BODY);
    // The emoji picker with the keyboard only: open, move right twice, insert; the focus comes back.
    await title.focus();
    await title.press('End');
    await page.getByRole('button', { name: 'Emoji' }).focus();
    await page.keyboard.press('Enter');
    const grid = page.getByRole('group', { name: /^Emoji:/ });
    await grid.getByRole('button', { name: 'party popper' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'party popper', 'the focus is in the grid');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'fire');
    await page.keyboard.press('Enter');
    await grid.waitFor({ state: 'detached' });
    assert.equal(await title.inputValue(), `${TITLE_EN}🔥`);
    await page.getByLabel('Image', { exact: true }).fill('https://bakery.example/croissant.jpg');
    await page.getByLabel('Link', { exact: true }).fill('https://bakery.example/?u={{ user.id }}');
    await page.getByRole('button', { name: 'Add a button' }).click();
    await page.getByLabel('Button 1', { exact: true }).fill('Order now');
    await page.getByLabel('Button 1 link').fill('https://bakery.example/order');

    await page.getByLabel('Another language (BCP 47 tag)').fill('fr');
    await page.getByRole('button', { name: 'Add the language' }).click();
    await page.getByRole('tab', { name: 'fr', exact: true }).waitFor();
    assert.equal(await page.getByRole('tab', { name: 'fr', exact: true }).getAttribute('aria-selected'), 'true');
    await page.getByLabel('Title', { exact: true }).fill(TITLE_FR);
    await page.getByLabel('Default language').selectOption('en');
    // The tabs move with the arrow keys.
    await page.getByRole('tab', { name: 'fr', exact: true }).press('ArrowLeft');
    assert.equal(await page.getByRole('tab', { name: 'en (default)' }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), `${TITLE_EN}🔥`);
  });

  test('previews: rendered by the server as a random and a chosen user; each platform cuts and drops what it does', async () => {
    const { page } = fx();
    // Before a user is chosen, the template as written.
    await page.getByText('The previews show the template as written').waitFor();
    await page.getByRole('button', { name: 'A random user of the audience' }).click();
    const as = page.getByTestId('preview-as');
    await as.filter({ hasText: /Rendered by the server as (amy|ben) / }).waitFor();
    await page.getByLabel('Preview as user').fill('ben');
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    await as.filter({ hasText: 'Rendered by the server as ben (language en-GB): they get the en version.' }).waitFor();
    const rendered = 'Fresh croissants for you, Ben! Come early🔥';
    await preview('chrome-windows').getByTestId('preview-title').filter({ hasText: rendered }).waitFor();
    const shown = async (p: string) => (await preview(p).getByTestId('preview-title').innerText()).trim();
    assert.equal(await shown('chrome-windows'), cutAt(rendered, 70), 'Windows shows 70 characters: all of it');
    assert.equal(await shown('chrome-macos'), cutAt(rendered, 35));
    assert.ok((await shown('chrome-macos')).endsWith('…') && (await shown('chrome-macos')).length < rendered.length, 'macOS cuts the title');
    assert.equal(await shown('android'), cutAt(rendered, 35));
    assert.equal(await shown('firefox'), cutAt(rendered, 50));
    assert.equal(await shown('ios'), cutAt(rendered, 50));
    assert.equal(await preview('android').getByTestId('preview-body').innerText(), cutAt(BODY, 50));
    // Firefox: no image and no buttons, and it says so; iOS: no buttons; Windows and Android: both.
    assert.equal(await preview('firefox').getByTestId('preview-image').count(), 0);
    assert.match(await preview('firefox').getByTestId('preview-drops').innerText(), /No image here\. No action buttons here\./);
    assert.equal(await preview('ios').getByTestId('preview-actions').count(), 0);
    assert.match(await preview('ios').getByTestId('preview-drops').innerText(), /No action buttons here\./);
    for (const p of ['chrome-windows', 'android']) {
      await preview(p).getByTestId('preview-image').waitFor();
      assert.equal(await preview(p).getByTestId('preview-actions').innerText(), 'Order now');
      assert.equal(await preview(p).getByTestId('preview-drops').count(), 0);
    }
    // Amy speaks fr-CA: the fr version, her name in it.
    await page.getByLabel('Preview as user').fill('amy');
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    await as.filter({ hasText: 'as amy (language fr-CA): they get the fr version.' }).waitFor();
    await page.getByRole('tab', { name: 'fr', exact: true }).click();
    await preview('chrome-windows').getByTestId('preview-title').filter({ hasText: 'Des croissants pour vous, Amy' }).waitFor();
    // A template that does not compile: the server's refusal at its field, and its tab marked.
    const frTitle = page.getByLabel('Title', { exact: true });
    await frTitle.fill('Des croissants pour {{ user.attributes.firstName ');
    await page.locator('.tab-panel input[aria-invalid="true"]').first().waitFor();
    assert.equal(await frTitle.getAttribute('aria-invalid'), 'true');
    await page.locator('.tab-panel .field-error').first().waitFor();
    assert.match((await page.getByRole('tab', { name: 'fr', exact: true }).getAttribute('class')) ?? '', /tab-error/);
    await frTitle.fill(TITLE_FR);
    await preview('chrome-windows').getByTestId('preview-title').filter({ hasText: 'Des croissants pour vous, Amy' }).waitFor();
    assert.equal(await frTitle.getAttribute('aria-invalid'), null);
    await page.getByRole('tab', { name: 'en (default)' }).click();
    await fx().checkAccessibility('compose');
    await fx().screenshot('compose');
  });

  test('a refusal of the API is shown at the field its pointer names, and nothing is saved', async () => {
    const { page } = fx();
    await page.getByLabel('At a time').check();
    const at = page.getByLabel('Date and time (your zone)');
    await at.fill('2099-01-01T09:00');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await at.and(page.locator('[aria-invalid="true"]')).waitFor();
    assert.match(await page.locator('.compose-schedule .field-error').innerText(), /at most a year ahead/);
    assert.equal((await api('GET', '/campaigns')).body.data.length, 0, 'nothing saved');
    await page.getByLabel('On launch').check();
    assert.equal(await page.locator('.compose-schedule .field-error').count(), 0);
  });

  test('a test goes to a real subscription of the chosen user, rendered for them', async () => {
    const { page } = fx();
    await page.getByLabel('User to send a test to').fill('ben');
    await page.getByRole('button', { name: 'Send a test' }).click();
    await page.getByTestId('test-sent').filter({ hasText: 'Test sent to 1 devices of ben.' }).waitFor();
    const [push] = await sink!.waitFor(1, 20_000);
    assert.equal(push!.subscriptionId, sinkSub.get('ben'));
    const n = (push!.json as any).notification;
    assert.equal(n.title, 'Fresh croissants for you, Ben! Come early🔥', 'decrypted as the browser would: the server rendered Ben’s name');
    assert.equal(n.navigate, 'https://bakery.example/?u=ben');
    assert.equal(n.actions[0].title, 'Order now');
  });

  test('the confirmation says who receives it and who is left out; launching opens the campaign, whose delivered and clicked counts move', async () => {
    const { page } = fx();
    // A pro without a device: in the audience, and left out for want of a subscription (the live size counts subscribed users only).
    assert.equal((await api('PUT', '/users/dan', { language: 'en', attributes: { firstName: 'Dan', plan: 'pro' } })).status, 200);
    await page.getByLabel('Leave out a segment').selectOption({ label: 'Ben alone' });
    await page.getByTestId('compose-size').filter({ hasText: /^1$/ }).waitFor();
    await page.getByRole('button', { name: 'Review and launch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Launch “Croissant day”?' });
    await dialog.waitFor();
    // The server's estimate of the saved draft, decided as the launch would decide each user.
    await dialog.locator('[data-reason="no_subscription"]').waitFor();
    assert.equal(await dialog.getByTestId('confirm-receive').innerText(), '1 users, on 1 subscriptions (webpush 1)');
    assert.deepEqual(await dialog.getByTestId('confirm-left-out').locator('li').allInnerTexts(), ['1 users of the excluded segment', '1 users without a subscription']);
    assert.equal(await dialog.getByTestId('confirm-sample').count(), 0, 'exact: every template rendered');
    await dialog.getByText('As the launch would decide each user at').waitFor();
    await fx().checkAccessibility('compose, the confirmation');
    // Cancel changes nothing: the draft the test saved is still a draft.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const drafts = (await api('GET', '/campaigns')).body.data;
    assert.equal(drafts.length, 1);
    assert.equal(drafts[0].status, 'draft');
    campaignId = drafts[0].id;
    await page.getByRole('button', { name: 'Review and launch' }).click();
    await dialog.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('heading', { name: 'Croissant day', level: 1 }).waitFor();
    assert.ok(page.url().endsWith(`/campaigns/${campaignId}`));
    const saved = (await api('GET', `/campaigns/${campaignId}`)).body;
    assert.match(saved.audience.segment, /^seg_/);
    assert.match(saved.audience.exclude.segment, /^seg_/);
    assert.deepEqual(Object.keys(saved.content), ['en', 'fr']);
    assert.equal(saved.category, 'promotions');

    const all = await sink!.waitFor(2, 20_000);
    const push = all.find((r) => r.subscriptionId === sinkSub.get('amy'));
    assert.ok(push, 'amy’s browser got it; ben was left out');
    const n = (push.json as any).notification;
    assert.equal(n.title, 'Des croissants pour vous, Amy');
    const delivered = page.locator('.funnel [data-step="delivered"] dd.figure');
    for (let i = 0; i < 50 && (await delivered.innerText().catch(() => '')) !== '1'; i++) {
      await page.waitForTimeout(200);
      await page.reload();
      await delivered.waitFor();
    }
    assert.equal(await delivered.innerText(), '1');
    assert.equal(await page.locator('.funnel [data-step="clicked"] dd.figure').innerText(), '0');
    // The click, as the SDK's service worker reports it (sdk/src/sw.ts reportAbout, events.ts
    // report): the payload's data.id, the subscription the worker registered, an event id and time.
    const report = await api('POST', '/events', { events: [{ type: 'clicked', notificationId: n.data.id, subscriptionId: subId.get('amy'), id: randomUUID(), at: new Date().toISOString() }] }, app.publishableKey);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.accepted, 1);
    await page.reload();
    await page.locator('.funnel [data-step="clicked"] dd.figure').filter({ hasText: /^1$/ }).waitFor();
    await fx().signOut();
  });

  test('a viewer has no button to compose or send, and their forged calls are refused with a code', async () => {
    const { page } = fx();
    await fx().signIn(VIEWER);
    await open('/campaigns');
    await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Compose a campaign' }).count(), 0);
    await open('/compose');
    await page.getByText('Viewers read campaigns but do not compose or send them.').waitFor();
    for (const name of ['Send a test', 'Review and launch', 'Launch', 'Save as draft']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    await fx().checkAccessibility('compose, a viewer');
    const content = { en: { title: 'Forged' } };
    for (const [path, body] of [
      [`/v1/apps/${app.id}/campaigns`, { name: 'Forged', audience: { filter: { channel: 'webpush' } }, content }],
      [`/v1/apps/${app.id}/campaigns/${campaignId}/test`, { userId: 'ben' }],
      [`/v1/apps/${app.id}/campaigns/${campaignId}/launch`, undefined],
      [`/v1/apps/${app.id}/campaigns/preview`, { content, userId: 'ben' }],
    ] as const) {
      const forged = await fx().fetchInPage('POST', path, body === undefined ? {} : { body });
      assert.equal(forged.status, 403, `${path}: ${JSON.stringify(forged.body)}`);
      assert.equal(forged.body.code, 'role_forbidden');
      assert.equal(forged.body.required, 'editor');
    }
    assert.equal((await api('GET', '/campaigns')).body.data.length, 1, 'nothing was made');
    await fx().signOut();
  });

  test('a variant has its own title and body in every language, shown at the confirmation and saved per language', async () => {
    const { page } = fx();
    await fx().signIn(EDITOR);
    await open('/compose');
    await page.getByRole('heading', { name: 'Compose a campaign', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('Bread week');
    await page.getByLabel('Segment', { exact: true }).last().selectOption({ label: 'Pro bakers' });
    await page.getByTestId('compose-size').filter({ hasText: /^2$/ }).waitFor();
    await page.getByLabel('Title', { exact: true }).fill('Bread week');
    await page.getByLabel('Body').fill('Every loaf half price.');
    await page.getByLabel('Another language (BCP 47 tag)').fill('fr');
    await page.getByRole('button', { name: 'Add the language' }).click();
    await page.getByLabel('Title', { exact: true }).fill('La semaine du pain');
    await page.getByLabel('Body').fill('Tous les pains à moitié prix.');
    await page.getByRole('button', { name: 'Add a variant' }).click();
    await page.getByRole('button', { name: 'Add a variant' }).click();
    // Both languages have their fields, not only the default one.
    await page.getByLabel('Variant 2 title (fr)').fill('Le pain, moitié prix');
    await page.getByLabel('Variant 2 body (en)').fill('Half price, every loaf, all week.');
    await page.getByRole('button', { name: 'Review and launch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Launch “Bread week”?' });
    await dialog.waitFor();
    const variants = dialog.getByTestId('confirm-variants');
    assert.deepEqual(await variants.locator(':scope > li').first().locator('li').allInnerTexts(), ['en Bread week · Every loaf half price. (the message as written)', 'fr La semaine du pain · Tous les pains à moitié prix. (the message as written)']);
    assert.deepEqual(await variants.locator(':scope > li').nth(1).locator('li').allInnerTexts(), ['en Bread week · Half price, every loaf, all week.', 'fr Le pain, moitié prix · Tous les pains à moitié prix.']);
    await fx().checkAccessibility('compose, the confirmation of variants');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByText('Saved as').waitFor();
    const made = (await api('GET', '/campaigns')).body.data.find((c: { name: string }) => c.name === 'Bread week');
    assert.ok(made, 'saved');
    const saved = (await api('GET', `/campaigns/${made.id}`)).body;
    assert.equal(saved.variants.split[0].content, undefined, 'variant A sends the message as written');
    assert.deepEqual(saved.variants.split[1].content, { en: { title: 'Bread week', body: 'Half price, every loaf, all week.' }, fr: { title: 'Le pain, moitié prix', body: 'Tous les pains à moitié prix.' } });
  });

  test('a draft reopened from its page fills Compose, and saving changes it rather than making another', async () => {
    const { page } = fx();
    const before = (await api('GET', '/campaigns')).body.data;
    const draft = before.find((c: { name: string }) => c.name === 'Bread week');
    assert.equal(draft.status, 'draft');
    await open(`/campaigns/${draft.id}`);
    await page.getByRole('link', { name: 'Edit draft' }).click();
    await page.getByRole('heading', { name: 'Edit the draft “Bread week”', level: 1 }).waitFor();
    assert.equal(await page.getByLabel('Name').inputValue(), 'Bread week');
    assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), 'Bread week');
    await page.getByTestId('compose-size').filter({ hasText: /^2$/ }).waitFor();
    await page.getByRole('tab', { name: 'fr', exact: true }).click();
    assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), 'La semaine du pain');
    assert.equal(await page.getByLabel('Variant 2 title (fr)').inputValue(), 'Le pain, moitié prix');
    assert.equal(await page.getByLabel('Variant 2 body (en)').inputValue(), 'Half price, every loaf, all week.');
    assert.equal(await page.getByLabel('Variant 1 title (fr)').inputValue(), '');
    await fx().checkAccessibility('compose, a draft reopened');
    await page.getByLabel('Name').fill('Bread week, again');
    await page.getByLabel('Variant 2 title (en)').fill('Bread, half price');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    // "Saved as" shows from the start here: the save is seen in the API.
    for (let i = 0; i < 50 && (await api('GET', `/campaigns/${draft.id}`)).body.name !== 'Bread week, again'; i++) await page.waitForTimeout(100);
    const after = (await api('GET', '/campaigns')).body.data;
    assert.equal(after.length, before.length, 'no campaign was made');
    const saved = (await api('GET', `/campaigns/${draft.id}`)).body;
    assert.equal(saved.name, 'Bread week, again');
    assert.deepEqual(Object.keys(saved.content), ['en', 'fr']);
    assert.equal(saved.variants.split[1].content.en.title, 'Bread, half price');
    assert.equal(saved.variants.split[1].content.fr.title, 'Le pain, moitié prix');
    // A filter the builder does not draw is kept as saved, not replaced by an empty builder.
    const nearFilter = { and: [{ near: { lat: 45.76, lon: 4.84, radiusKm: 10 } }, { attribute: 'firstName', op: 'exists' }] };
    const near = await api('POST', '/campaigns', { name: 'Near Lyon', audience: { filter: nearFilter }, content: { en: { title: 'Fresh bread near you' } } });
    assert.equal(near.status, 201, JSON.stringify(near.body));
    await open(`/campaigns/${near.body.id}/edit`);
    await page.getByRole('heading', { name: 'Edit the draft “Near Lyon”', level: 1 }).waitFor();
    await page.getByTestId('compose-kept-filter').getByText('kept as saved').waitFor();
    await page.getByLabel('Name').fill('Near Lyon, again');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    for (let i = 0; i < 50 && (await api('GET', `/campaigns/${near.body.id}`)).body.name !== 'Near Lyon, again'; i++) await page.waitForTimeout(100);
    const nearSaved = (await api('GET', `/campaigns/${near.body.id}`)).body;
    assert.equal(nearSaved.name, 'Near Lyon, again');
    assert.deepEqual(nearSaved.audience, { filter: nearFilter });
    // A campaign no longer a draft has no such link.
    await open(`/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Croissant day', level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Edit draft' }).count(), 0);
    await fx().signOut();
  });
}
