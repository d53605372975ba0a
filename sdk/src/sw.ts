/**
 * Carillon's service worker: shows the Declarative Web Push messages Carillon sends, once
 * per notification id; opens (or focuses) the page a click asks for; reports displayed,
 * clicked and dismissed; and re-registers when the browser replaces the subscription.
 *
 * A classic script, so a site with a service worker of its own adds it with one line:
 *   importScripts('https://push.example.com/sdk/carillon-sw.js');
 * It reads its configuration from IndexedDB, where `Carillon.init()` on the page put it.
 */
import { Api } from './api.ts';
import { base64urlToBytes } from './base64url.ts';
import { report, type SdkEvent } from './events.ts';
import { registerSubscription } from './registration.ts';
import { clickTarget, findWindow, parsePush, renderNotification, replyRequest, routingOf } from './render.ts';
import { kvGet, markShown } from './store.ts';
import type { ExtendableEvent, NotificationEvent, PushEvent, PushSubscriptionChangeEvent, WorkerScope } from './sw-types.ts';

const scope = self as unknown as WorkerScope;

scope.addEventListener('push', (event) => extend(event, onPush(event)));
scope.addEventListener('notificationclick', (event) => extend(event, onClick(event)));
scope.addEventListener('notificationclose', (event) => extend(event, onClose(event)));
scope.addEventListener('pushsubscriptionchange', (event) => extend(event, onSubscriptionChange(event)));

function extend(event: ExtendableEvent, work: Promise<unknown>): void {
  try {
    event.waitUntil(work);
  } catch {
    // An event constructed by a script (a site's own worker re-dispatching one) cannot be
    // extended; the work has started and runs regardless.
  }
}

async function onPush(event: PushEvent): Promise<void> {
  const message = parsePush(readJson(event));
  // Not Carillon's format: left to the site's own push handlers, if any.
  if (!message) return;
  const state = await kvGet('state');
  const { id, title, options } = renderNotification(message, state?.subscriptionId);
  // A retried delivery repeats the id (at least once delivery): show it once. The browser
  // tolerates an occasional push that shows nothing.
  if (id !== undefined && !(await markShown(id, Date.now()))) return;
  await scope.registration.showNotification(title, options as NotificationOptions);
  if (id !== undefined && state?.subscriptionId !== undefined) {
    await reportEvent({ type: 'displayed', notificationId: id, subscriptionId: state.subscriptionId });
  }
}

async function onClick(event: NotificationEvent): Promise<void> {
  const { notification } = event;
  // Firefox ESR 140, which has no action buttons, has no `action` either: a click there is on the body.
  const action = event.action ?? '';
  notification.close();
  // A reply typed in the notification, or a tapped button of the thread's answer (a slot; an
  // answer's push says so in data.reply.answer, the first notification's buttons stay
  // clicks), is posted to its thread and nothing is opened; if the post fails, the reply page opens
  // (the reply action's navigate, the thread's page for a button) for the user to try again.
  // The buttons' titles are the shown notification's (DOM's typings lack `actions`).
  const buttons = (notification as Notification & { actions?: readonly { action: string; title: string }[] }).actions;
  const reply = replyRequest(notification.data, action, event.reply, crypto.randomUUID(), buttons);
  const posted = reply ? await fetch(reply.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: reply.body }).then((r) => r.ok, () => false) : false;
  // A reply typed with no action (Chromium on Linux) is the reply action's: reported as
  // such, and its reply page opens, not the notification's own page.
  const chosen = reply?.action ?? action;
  if (posted) return reportAbout(notification, 'clicked', chosen);
  const target = reply?.page ?? clickTarget(notification.data, chosen, scope.location.origin, showsActions());
  // First: the browser lets a worker open or focus a window only shortly after the click.
  if (target !== undefined) await openOrFocus(target);
  await reportAbout(notification, 'clicked', chosen);
}

/**
 * Whether this browser shows action buttons: `Notification.maxActions` is in the worker's
 * scope where it does (Chromium: 2; Firefox 153: 2), missing or 0 where it shows none
 * (Firefox ESR 140, Safari).
 */
function showsActions(): boolean {
  return (scope.Notification?.maxActions ?? 0) > 0;
}

async function onClose(event: NotificationEvent): Promise<void> {
  await reportAbout(event.notification, 'dismissed');
}

async function openOrFocus(url: string): Promise<void> {
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = findWindow(windows, url);
  try {
    if (open) await open.focus();
    else await scope.clients.openWindow(url);
  } catch {
    // Refused (no click to allow it, or a pop-up policy): the click is still reported.
  }
}

async function onSubscriptionChange(event: PushSubscriptionChangeEvent): Promise<void> {
  const config = await kvGet('config');
  if (!config) return;
  const api = new Api(config);
  let sub = event.newSubscription ?? null;
  if (!sub) {
    const key = event.oldSubscription?.options.applicationServerKey ?? base64urlToBytes(config.vapidPublicKey ?? (await api.getApp()).vapidPublicKey);
    sub = await scope.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  await registerSubscription(api, sub);
}

/** A click or dismissal, for the subscription that displayed the notification. */
async function reportAbout(notification: Notification, type: 'clicked' | 'dismissed', action = ''): Promise<void> {
  const id: unknown = notification.data?.id;
  const { subscriptionId } = routingOf(notification.data);
  if (typeof id !== 'string' || subscriptionId === undefined) return;
  await reportEvent({ type, notificationId: id, subscriptionId, ...(action ? { action } : {}) });
}

async function reportEvent(event: SdkEvent): Promise<void> {
  const config = await kvGet('config');
  if (config) await report(new Api(config), [event]);
}

function readJson(event: PushEvent): unknown {
  try {
    return event.data?.json();
  } catch {
    return undefined;
  }
}
