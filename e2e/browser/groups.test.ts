/**
 * Groups in a real browser: the renderer (Chromium, web host with a real core, a real relay and
 * three companion phones) creates a group with two colleagues, sends a message both phones
 * decrypt, and shows a colleague's group message with the sender's name. The group info panel
 * lists the members with their roles. Screenshots go to e2e/artifacts/groups/ (git-ignored).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionPhone } from '../../src/phone/companion-phone';
import type { GroupEvent } from '../../src/phone/phone-groups';
import type { GroupId } from '../../src/shared/groups/group-id';
import { SECOND_MS } from '../../src/shared/limits';
import { pairFromQrCode } from '../support/chromium';
import { openWardScene, type WardScene } from './ward-scene';

const UI_TIMEOUT = 20 * SECOND_MS;
const GROUP_NAME = 'Ward 4 MDT';

let scene: WardScene | undefined;
let page: Page;
let me: CompanionPhone | undefined;
let anna: CompanionPhone | undefined;
let bram: CompanionPhone | undefined;
let groupId: GroupId;
const byTestId = (id: string) => page.getByTestId(id);
const shot = (name: string) => scene!.shot(name);

beforeAll(async () => {
  scene = await openWardScene({
    artifacts: 'groups',
    workstationName: 'Ward 4 office',
    phones: [
      { profile: { displayName: 'Dr. Me', profession: 'GP' } },
      { profile: { displayName: 'Dr. Anna Visser', profession: 'Cardiology' } },
      { profile: { displayName: 'Nurse Bram de Vries', profession: 'Ward 4' } },
    ],
  });
  ({ page } = scene);
  [me, anna, bram] = scene.phones;
}, 300_000);

afterAll(() => scene?.close(), 60_000);

describe('a group with two phone members (real browser)', () => {
  it('pairs; both colleagues become contacts by writing first', async () => {
    await pairFromQrCode(page, me!, UI_TIMEOUT);
    await anna!.sendText(me!.accountId, 'Hello from Anna');
    await bram!.sendText(me!.accountId, 'Hello from Bram');
    await expect.poll(() => byTestId('chat-item').count(), { timeout: UI_TIMEOUT }).toBe(2);
  }, 90_000);

  it('creates the group in the dialog; both phones accept the desktop-signed creation', async () => {
    const changed = (e: GroupEvent) => e.type === 'changed';
    const annaSees = anna!.groups.waitForEvent(changed, UI_TIMEOUT);
    const bramSees = bram!.groups.waitForEvent(changed, UI_TIMEOUT);
    await byTestId('new-group').click();
    await byTestId('group-create-dialog').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await byTestId('group-name').fill(GROUP_NAME);
    await expect.poll(() => byTestId('group-member-option').count(), { timeout: UI_TIMEOUT }).toBe(2);
    for (const option of await byTestId('group-member-option').all()) await option.locator('input[type="checkbox"]').check();
    await shot('01-new-group');
    await byTestId('group-create-submit').click();
    await byTestId('group-create-dialog').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await page.locator('#conversation-title', { hasText: GROUP_NAME }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const [a, b] = await Promise.all([annaSees, bramSees]);
    expect(a.type === 'changed' && a.state.name).toBe(GROUP_NAME);
    expect(b.type === 'changed' && b.state.members.length).toBe(3);
    groupId = (a as Extract<GroupEvent, { type: 'changed' }>).groupId;
    await expect.poll(() => byTestId('chat-group-kind').count(), { timeout: UI_TIMEOUT }).toBe(1);
  }, 60_000);

  it('sends a group message both phones decrypt', async () => {
    const body = 'Handover at 16:00 in the ward office';
    const isText = (e: GroupEvent) => e.type === 'message' && e.content.kind === 'text' && e.content.body === body;
    const annaGets = anna!.groups.waitForEvent(isText, UI_TIMEOUT);
    const bramGets = bram!.groups.waitForEvent(isText, UI_TIMEOUT);
    await byTestId('composer').fill(body);
    await byTestId('send-button').click();
    const [a, b] = await Promise.all([annaGets, bramGets]);
    for (const e of [a, b]) expect(e.type === 'message' ? [e.groupId, e.from] : null).toEqual([groupId, me!.accountId]);
    await expect.poll(() => page.locator('[data-testid="message"][data-direction="out"]').filter({ hasText: body }).getAttribute('data-state'), { timeout: UI_TIMEOUT }).toMatch(/^(sent|delivered)$/);
  }, 60_000);

  it('shows a phone’s group message in the group thread with the sender’s name', async () => {
    await anna!.groups.sendText(groupId, 'Echo shows reduced EF, starting treatment');
    const incoming = page.locator('[data-testid="message"][data-direction="in"]').filter({ hasText: 'reduced EF' });
    await incoming.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => incoming.getByTestId('message-sender').textContent(), { timeout: UI_TIMEOUT }).toContain('Dr. Anna Visser');
    expect(await incoming.getByTestId('badge-unverified').count()).toBe(1);
    await shot('02-group-thread');
  }, 60_000);

  it('the info panel lists the members with their roles', async () => {
    await byTestId('group-info-open').click();
    await byTestId('group-info').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => byTestId('group-member').count(), { timeout: UI_TIMEOUT }).toBe(3);
    expect(await page.locator(`[data-testid="group-member"][data-account-id="${me!.accountId}"]`).getAttribute('data-role')).toBe('admin');
    expect(await page.locator('[data-testid="group-member"][data-role="member"]').count()).toBe(2);
    await shot('03-group-info');
    await byTestId('group-info-close').click();
    await byTestId('group-info').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  }, 60_000);

  it('a broadcast list from a phone is read-only here; "Reply privately" opens the 1:1 chat with its admin', async () => {
    const list = await bram!.groups.create({ kind: 'broadcast', name: 'Ward 4 rota', members: [me!.accountId, anna!.accountId] });
    await bram!.groups.sendText(list.groupId, 'Night shifts for December are out');
    const item = byTestId('chat-item').filter({ hasText: 'Ward 4 rota' });
    await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await item.click();
    await byTestId('group-read-only').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await byTestId('composer').count()).toBe(0);
    await page.locator('[data-testid="message"][data-direction="in"]').filter({ hasText: 'Night shifts' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const reply = byTestId('group-reply-privately');
    await expect.poll(() => reply.textContent(), { timeout: UI_TIMEOUT }).toContain('Nurse Bram de Vries');
    await shot('04-broadcast-read-only');
    await reply.click();
    await page.locator('#conversation-title', { hasText: 'Nurse Bram de Vries' }).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await byTestId('composer').count()).toBe(1);
    expect(scene!.problems).toEqual([]);
  }, 60_000);
});
