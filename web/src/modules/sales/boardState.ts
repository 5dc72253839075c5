// Pure board updates (move, insert, filter) so the optimistic UI matches what the server will say.
import type { Board, BoardStage, Deal } from '../../api/types';

function addToSums(sums: Record<string, string>, deal: Deal, sign: 1 | -1): Record<string, string> {
  const amount = Number(deal.amount ?? 0);
  const cur = deal.currency ?? '';
  if (!cur || !Number.isFinite(amount) || amount === 0) return sums;
  const next = { ...sums };
  const cents = Math.round(Number(next[cur] ?? 0) * 100) + sign * Math.round(amount * 100);
  next[cur] = (cents / 100).toFixed(2);
  return next;
}

export function removeCard(stage: BoardStage, dealId: string): BoardStage {
  const deal = stage.cards.find((c) => c.id === dealId);
  if (!deal) return stage;
  return { ...stage, cards: stage.cards.filter((c) => c.id !== dealId), count: Math.max(0, stage.count - 1), sums: addToSums(stage.sums, deal, -1) };
}

export function insertCard(stage: BoardStage, deal: Deal): BoardStage {
  return { ...stage, cards: [deal, ...stage.cards.filter((c) => c.id !== deal.id)], count: stage.count + 1, sums: addToSums(stage.sums, deal, 1) };
}

/** Moves a deal to another stage, adjusting counts and per-currency sums on both sides. */
export function moveCard(board: Board, dealId: string, toStageId: string, updated?: Partial<Deal>): Board {
  let moving: Deal | undefined;
  for (const s of board.stages) {
    moving = s.cards.find((c) => c.id === dealId);
    if (moving) break;
  }
  if (!moving) return board;
  const deal: Deal = { ...moving, ...updated, stage_id: toStageId };
  return {
    ...board,
    stages: board.stages.map((s) => {
      if (s.id === toStageId) return insertCard(s.cards.some((c) => c.id === dealId) ? removeCard(s, dealId) : s, deal);
      return s.cards.some((c) => c.id === dealId) ? removeCard(s, dealId) : s;
    }),
  };
}

/** Replaces a card in place (after the server answered) without touching counts. */
export function replaceCard(board: Board, deal: Deal): Board {
  return {
    ...board,
    stages: board.stages.map((s) => (s.cards.some((c) => c.id === deal.id) ? { ...s, cards: s.cards.map((c) => (c.id === deal.id ? { ...c, ...deal } : c)) } : s)),
  };
}

export type BoardFilter = { owner?: string | null; tag?: string | null };

export function hasFilter(f: BoardFilter): boolean {
  return Boolean(f.owner || f.tag);
}

export function matches(deal: Deal, f: BoardFilter): boolean {
  if (f.owner && deal.owner_id !== f.owner) return false;
  if (f.tag) {
    const tag = f.tag.trim().toLowerCase();
    const tags = Array.isArray(deal.tags) ? deal.tags : typeof deal.tags === 'string' ? String(deal.tags).split(',') : [];
    if (!tags.some((x) => String(x).trim().toLowerCase() === tag)) return false;
  }
  return true;
}

/** A stage as the filter shows it: its matching cards, their count and sums. */
export function filteredStage(stage: BoardStage, f: BoardFilter): BoardStage {
  if (!hasFilter(f)) return stage;
  const cards = stage.cards.filter((c) => matches(c, f));
  let sums: Record<string, string> = {};
  for (const c of cards) sums = addToSums(sums, c, 1);
  return { ...stage, cards, count: cards.length, sums };
}

/** Sum of several currency maps. */
export function totalSums(stages: BoardStage[]): Record<string, string> {
  const cents: Record<string, number> = {};
  for (const s of stages) {
    for (const [cur, v] of Object.entries(s.sums ?? {})) cents[cur] = (cents[cur] ?? 0) + Math.round(Number(v) * 100);
  }
  return Object.fromEntries(Object.entries(cents).map(([k, v]) => [k, (v / 100).toFixed(2)]));
}
