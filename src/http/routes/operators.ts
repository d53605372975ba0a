import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.ts';
import { getApp } from '../../apps/apps.ts';
import { createOperator, deleteOperator, listMembers, listOperators, removeMember, setMember } from '../../operators/accounts.ts';
import { guard } from '../guards.ts';
import { guardedProblems, NO_CONTENT } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { CreateOperatorBody, Member, MemberParams, Operator, OperatorParams, SetMemberBody } from './session.schemas.ts';

/**
 * Operator accounts (the admin key or an administrator's session) and their roles on an app
 * (the app's secret key or an owner's session; src/http/route-roles.ts).
 */
export function operatorRoutes(app: FastifyInstance, ctx: Context): void {
  app.get(
    '/v1/operators',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'listOperators', tags: ['operators'], summary: 'Operator accounts', response: { 200: Type.Object({ data: Type.Array(Operator) }), ...guardedProblems('admin', {}) } } },
    async () => ({ data: await listOperators(ctx) }),
  );
  app.post<{ Body: CreateOperatorBody }>(
    '/v1/operators',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'createOperator', tags: ['operators'], summary: 'Create an operator account with a first password', body: CreateOperatorBody, response: { 201: Operator, ...guardedProblems('admin', { body: true }, 'operator_exists', 'weak_password') } } },
    async (req, reply) => reply.status(201).send(await createOperator(ctx, req.body)),
  );
  app.delete<{ Params: OperatorParams }>(
    '/v1/operators/:operatorId',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'deleteOperator', tags: ['operators'], summary: 'Delete an operator account: its sessions and roles end', params: OperatorParams, response: { ...NO_CONTENT, ...guardedProblems('admin', { params: true }, 'operator_not_found') } } },
    async (req, reply) => {
      await deleteOperator(ctx, req.params.operatorId);
      return reply.status(204).send();
    },
  );
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/members',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listMembers', tags: ['operators'], summary: 'The operators with a role on this app', params: AppParams, response: { 200: Type.Object({ data: Type.Array(Member) }), ...guardedProblems('secret', { params: true }, 'app_not_found') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return { data: await listMembers(ctx, req.params.appId) };
    },
  );
  app.post<{ Params: AppParams; Body: SetMemberBody }>(
    '/v1/apps/:appId/members',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'setMember', tags: ['operators'], summary: 'Give an operator a role on this app, or change it', params: AppParams, body: SetMemberBody, response: { 200: Member, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'operator_not_found') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return setMember(ctx, req.params.appId, req.body.email, req.body.role);
    },
  );
  app.delete<{ Params: MemberParams }>(
    '/v1/apps/:appId/members/:operatorId',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'removeMember', tags: ['operators'], summary: 'Take an operator’s role on this app away', params: MemberParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'operator_not_found') } } },
    async (req, reply) => {
      await removeMember(ctx, req.params.appId, req.params.operatorId);
      return reply.status(204).send();
    },
  );
}
