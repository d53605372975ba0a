import { TypeCompiler } from '@sinclair/typebox/compiler';
import { MessageContent } from '../../message/content.ts';
import { LINK_PATTERN, LINK_RULE } from '../../message/fields.ts';

const checker = TypeCompiler.Compile(MessageContent);

/** Why a rendered message is not valid MessageContent: the field (RFC 6901, `/actions/0/url`) and a reason for people. */
export interface MessageProblem {
  field: string;
  detail: string;
}

/**
 * Checks a rendered message against MessageContent, the same schema a plain notification
 * is accepted under, plus one rule a schema cannot say: a title of only spaces is empty.
 * The detail names the field and the rule but not the rendered text beyond a URL's
 * scheme: it is stored in send_records and shown to operators, and the text is the
 * user's data.
 */
export function checkMessage(message: MessageContent): MessageProblem | undefined {
  if (typeof message.title === 'string' && message.title.trim() === '') return { field: '/title', detail: 'title rendered empty' };
  if (checker.Check(message)) return undefined;
  const first = checker.Errors(message).First();
  if (!first) return { field: '', detail: 'the rendered message is not valid' };
  const field = first.path;
  const name = field.slice(1).replace(/\//g, '.');
  const schema = first.schema as { pattern?: string; maxLength?: number; minLength?: number };
  const value = first.value;
  if (schema.pattern === LINK_PATTERN && typeof value === 'string') {
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(value)?.[0];
    return { field, detail: `${name} rendered as ${scheme ? `a ${scheme} URL` : 'something that is not a URL'}; it ${LINK_RULE}` };
  }
  if (typeof value === 'string' && schema.maxLength !== undefined && value.length > schema.maxLength) {
    return { field, detail: `${name} rendered ${value.length} characters; at most ${schema.maxLength}` };
  }
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) {
    return { field, detail: `${name} rendered empty` };
  }
  return { field, detail: `${name}: ${first.message}` };
}
