/**
 * The dashboard end to end in Chromium, against a real `carillon serve`: one server and one
 * browser for every suite (suites/), run in order, so the whole costs one start. A later
 * page adds its suite here.
 */
import { after, before, describe } from 'node:test';
import { startFixture, type Fixture } from './fixture.ts';
import { foundationSuite } from './suites/foundation.ts';
import { audienceSuite } from './suites/audience.ts';
import { resultsSuite } from './suites/results.ts';
import { keysSuite } from './suites/keys.ts';
import { composeSuite } from './suites/compose.ts';
import { notificationsSuite } from './suites/notifications.ts';
import { journeysSuite } from './suites/journeys.ts';
import { alertsSuite } from './suites/alerts.ts';

let fixture: Fixture | undefined;
const fx = () => fixture!;

describe('the dashboard in Chromium', () => {
  before(async () => {
    fixture = await startFixture();
  });
  after(async () => {
    await fixture?.close();
  });
  describe('foundation: setup, sign-in, apps, account, operators, roles', () => foundationSuite(fx));
  describe('audience: users, a user, segments and the builder', () => audienceSuite(fx));
  describe('results: campaigns, notifications, analytics, webhooks', () => resultsSuite(fx));
  describe('API keys of an app, and retrying dead letters', () => keysSuite(fx));
  describe('compose: a segment, a campaign in two languages, previews, a test, the launch and its counts', () => composeSuite(fx));
  describe('notifications: the list and its figures, the campaigns list’s own figures, /docs under its policy', () => notificationsSuite(fx));
  describe('journeys: the list, a journey drawn as a flow, its lifecycle, a run and its timeline, the editor, a viewer', () => journeysSuite(fx));
  describe('civic alerts: the list and an alert, the composer and its refusals, feeds, a viewer, the settings', () => alertsSuite(fx));
});
