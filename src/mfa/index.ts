/** Push sign-in approval (docs/mfa.md): enrollment, challenges, device-signed answers, defences, audit. */
export { createEnrollment, enrollDevice, listDevices, revokeDevice, EnrollDeviceInput } from './enrollment.ts';
export { createChallenge, getChallenge } from './challenges.ts';
export { MAX_CHALLENGE_WAIT, waitForChallenge } from './challenge-waiter.ts';
export { challengeSignals } from './challenge-signals.ts';
export { answerChallenge, challengeDetails } from './answer.ts';
export { ChallengeInput, DetailsRequest, AnswerRequest, ChallengeContext } from './challenge-input.ts';
export { listAudit, AUDIT_TYPES } from './audit.ts';
export { mfaUserState, resetLock } from './locks.ts';
export { MFA_DEFAULTS, MfaSettingsInput, MfaSettingsView, mfaSettings, putMfaSettings } from './settings.ts';
export { limitDeviceRequest } from './device-limit.ts';
export { beginTotp, confirmTotp, verifyTotp, removeTotp } from './totp.ts';
export { generateRecoveryCodes, verifyRecoveryCode } from './recovery.ts';
export { createOtp, verifyOtp } from './otp.ts';
export { mfaSweepJob } from './sweep.ts';
export { OtpInput, OtpVerifyInput } from './otp-input.ts';
