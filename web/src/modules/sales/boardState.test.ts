import { describe, expect, it } from 'vitest';
import type { Board, Deal } from '../../api/types';
import { filteredStage, moveCard, totalSums } from './boardState';

const deal = (id: string, stage: string, amount: string, owner = 'u1', tags: string[] = []): Deal => ({
  id,
  version: 1,
  title: id,
  pipeline_id: 'p',
  stage_id: stage,
  amount,
  currency: 'RUB',
  owner_id: owner,
  tags,
});

const board = (): Board => ({
  stages: [
    { id: 'a', name: 'A', probability: 10, kind: 'open', count: 2, sums: { RUB: '3001.00' }, cards: [deal('d1', 'a', '1500.50'), deal('d2', 'a', '1500.50', 'u2', ['vip'])] },
    { id: 'b', name: 'B', probability: 100, kind: 'won', count: 0, sums: {}, cards: [] },
  ],
});

describe('board state', () => {
  it('moves a card and keeps counts and sums exact', () => {
    const b = moveCard(board(), 'd1', 'b');
    expect(b.stages[0]?.count).toBe(1);
    expect(b.stages[0]?.sums.RUB).toBe('1500.50');
    expect(b.stages[1]?.count).toBe(1);
    expect(b.stages[1]?.sums.RUB).toBe('1500.50');
    expect(b.stages[1]?.cards[0]?.stage_id).toBe('b');
  });

  it('ignores an unknown card', () => {
    const before = board();
    expect(moveCard(before, 'nope', 'b')).toBe(before);
  });

  it('filters by owner and tag with matching counts', () => {
    const s = board().stages[0];
    if (!s) throw new Error('no stage');
    expect(filteredStage(s, { owner: 'u2' }).count).toBe(1);
    expect(filteredStage(s, { tag: 'VIP' }).sums.RUB).toBe('1500.50');
    expect(filteredStage(s, {}).count).toBe(2);
  });

  it('totals sums across stages per currency', () => {
    expect(totalSums(board().stages)).toEqual({ RUB: '3001.00' });
  });
});
