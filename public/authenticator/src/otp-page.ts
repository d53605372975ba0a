/**
 * The page's list of one-time codes: those the worker showed and that are still live, and
 * each new one the worker posts while the page is open. Text is set as text, never HTML
 * (the purpose is the customer's).
 */
import { OTP_MESSAGE, pushedOtp, type PushedOtp } from './otp.ts';

const shown = new Map<string, PushedOtp>();

function render(): void {
  const list = document.getElementById('otps')!;
  list.replaceChildren();
  const now = Date.now();
  for (const otp of shown.values()) {
    const until = Date.parse(otp.expiresAt);
    if (!(until > now)) continue;
    const li = document.createElement('li');
    li.dataset.otpId = otp.otpId;
    const code = document.createElement('strong');
    code.textContent = otp.code;
    // The text the notification shows (otpText), with the code in bold.
    li.append(`Your code for ${otp.purpose}: `, code, ` (until ${new Date(until).toLocaleTimeString()})`);
    list.append(li);
  }
  document.getElementById('otp-section')!.hidden = list.childElementCount === 0;
}

function add(data: unknown): void {
  const otp = pushedOtp(data as Record<string, unknown> | undefined);
  if (!otp) return;
  shown.set(otp.otpId, otp);
  render();
}

/** Shows the live codes the worker has notified, and listens for the next ones. */
export async function showOtps(): Promise<void> {
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
    const msg = e.data as { type?: unknown; otp?: unknown } | null;
    if (msg?.type === OTP_MESSAGE) add({ mfa: 'otp', ...(msg.otp as object) });
  });
  const registration = await navigator.serviceWorker.getRegistration('/authenticator/');
  for (const n of (await registration?.getNotifications()) ?? []) {
    const otp = (n.data as { otp?: unknown } | null)?.otp;
    if (otp && typeof otp === 'object') add({ mfa: 'otp', ...otp });
  }
  render();
}
