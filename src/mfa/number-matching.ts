import { randomInt } from 'node:crypto';
import { newCode } from './secrets.ts';

/**
 * How the user answers a challenge (docs/mfa.md#number-matching):
 * - `code` (the default): the user types the code shown on the login screen, the out-of-band
 *   secret entered on the authenticator that SP 800-63B-4 §3.1.3 asks for;
 * - `numberMatching`: the device shows three numbers and the user picks the one on the login
 *   screen. Weaker, and opt-in only: §3.1.3.1 no longer accepts compare-and-approve, and a
 *   fatigued user picking at random is right one time in three.
 */
export const ANSWER_MODES = ['code', 'numberMatching'] as const;
export type AnswerMode = (typeof ANSWER_MODES)[number];

/**
 * The three numbers a number-matching device shows: the code and two decoys, all distinct,
 * drawn from the CSPRNG like the code and shuffled (Fisher-Yates with randomInt), so neither
 * a number's value nor its place tells which one is the code.
 */
export function numberChoices(code: string): string[] {
  const choices = [code];
  while (choices.length < 3) {
    const decoy = newCode();
    if (!choices.includes(decoy)) choices.push(decoy);
  }
  for (let i = choices.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [choices[i], choices[j]] = [choices[j]!, choices[i]!];
  }
  return choices;
}
