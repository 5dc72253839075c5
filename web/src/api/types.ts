// Shapes the app reads from the API. Record bodies come from the generated OpenAPI schema where it
// has them; the sales types follow the sales API contract.
import type { components } from './generated/schema';

export type RecordBody = {
  id: string;
  version: number;
  created_at?: string;
  updated_at?: string;
  created_by?: string | null;
  updated_by?: string | null;
  owner_id?: string | null;
  deleted_at?: string;
  custom?: Record<string, unknown>;
  [key: string]: unknown;
};

export type Contact = components['schemas']['Contacts'] & RecordBody;
export type Company = components['schemas']['Companies'] & RecordBody;
export type Lead = components['schemas']['Leads'] & RecordBody;
export type Product = components['schemas']['Products'] & RecordBody;
type GeneratedDeal = components['schemas']['Deals'];
type GeneratedActivity = components['schemas']['Activities'];

export type FieldType =
  | 'text'
  | 'email'
  | 'phone'
  | 'url'
  | 'money'
  | 'currency'
  | 'integer'
  | 'number'
  | 'bool'
  | 'date'
  | 'datetime'
  | 'enum'
  | 'multi_enum'
  | 'reference'
  | 'user'
  | 'json';

export type FieldMeta = {
  name: string;
  type: FieldType;
  label: string;
  required?: boolean;
  read_only?: boolean;
  custom?: boolean;
  options?: string[];
  ref_entity?: string;
  currency_field?: string;
};

export type EntityMeta = {
  name: string;
  label: string;
  fields: FieldMeta[];
  title_fields: string[];
};

export type Page<T> = { data: T[]; next_cursor: string | null };

export type Permissions = { manage_users: boolean; manage_metadata: boolean; read_only: boolean };

export type User = {
  id: string;
  email: string;
  name: string;
  /** 'admin' | 'manager' | 'user', or a custom role's name. */
  role: string;
  /** The role's display name (a custom role's name; the key for built-in ones). */
  role_name?: string;
  team_id: string | null;
  active: boolean;
  locale: string;
  time_zone: string;
};

export type Me = User & { tenant_id: number; permissions: Permissions; csrf_token?: string };

export type Team = { id: string; name: string; head_user_id: string | null };

export type ApiToken = { id: string; name: string; read_only: boolean; expires_at: string | null; created_at: string };

export type LoginResult = { user_id: string; role: string; csrf_token: string; expires_at: string };

export type StageKind = 'open' | 'won' | 'lost';

export type Stage = { id: string; name: string; probability: number; kind: StageKind; position?: number };

export type Pipeline = { id: string; name: string; stages: Stage[]; version?: number };

export type Deal = RecordBody & Partial<GeneratedDeal> & {
  title: string;
  pipeline_id: string;
  stage_id: string;
  amount?: string | null;
  currency?: string | null;
  contact_id?: string | null;
  company_id?: string | null;
  loss_reason?: string | null;
  tags?: string[] | null;
  expected_close_date?: string | null;
  status?: 'open' | 'won' | 'lost' | null;
};

export type BoardStage = Stage & {
  count: number;
  sums: Record<string, string>;
  cards: Deal[];
};

export type Board = { pipeline?: { id: string; name: string }; stages: BoardStage[] };

export type MyDay = { date: string; time_zone: string; overdue: Activity[]; today: Activity[]; meetings: Activity[] };

export type ActivityType = 'call' | 'meeting' | 'email' | 'note' | 'task';

export type Activity = RecordBody & Partial<GeneratedActivity> & {
  type: ActivityType;
  subject: string | null;
  related_entity?: string | null;
  related_id?: string | null;
  due_at?: string | null;
  starts_at?: string | null;
  done?: boolean | null;
  done_at?: string | null;
  body?: string | null;
  assignee_id?: string | null;
};

export type HistoryChange = { from: unknown; to: unknown };

export type HistoryEntry = {
  version: number;
  action: 'create' | 'update' | 'delete' | 'restore' | string;
  actor_id: string | null;
  at: string;
  changes: Record<string, HistoryChange>;
};

export type History = { current_version: number; data: HistoryEntry[] };

export type SearchHit = { entity: string; id: string; title: string };

export type RecycleItem = { entity: string; id: string; title: string; deleted_at: string; record: RecordBody };

export type ConvertResult = { contact_id: string | null; company_id: string | null; deal_id: string | null };

export type BatchOperation = { method: 'POST' | 'GET' | 'PATCH' | 'DELETE'; path: string; body?: unknown; if_match?: number };

export type BatchResult = { committed: boolean; results: { status: number; body: unknown }[] };

export type PriceList = RecordBody & { name: string; currency: string; kind?: 'retail' | 'wholesale' | 'other' | null; active?: boolean | null };

/** One row of GET /price-lists/{id}/prices: a price with its product's name, SKU and unit. */
export type PriceRow = {
  id: string;
  product_id: string | null;
  product_name: string | null;
  sku: string | null;
  unit: string | null;
  price: string | null;
  currency: string;
  version: number;
};

export type PriceListPrices = { price_list: PriceList; data: PriceRow[] };

export type DealLine = RecordBody & {
  deal_id: string;
  product_id: string | null;
  name: string;
  quantity: number;
  unit: string | null;
  price_list_id: string | null;
  price: string;
  currency: string;
  discount_percent: number | null;
  tax_percent: number | null;
  amount: string;
  tax_amount: string;
  total: string;
  position: number;
};

/** GET/PUT /deals/{id}/lines: the lines, the deal's version, and exact totals as decimal strings. */
export type DealLines = {
  deal_id: string;
  deal_version: number;
  data: DealLine[];
  totals: { currency: string | null; amount: string; tax_amount: string; total: string };
};
