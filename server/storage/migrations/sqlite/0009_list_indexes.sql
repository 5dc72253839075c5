-- Contacts listed by last name, newest first (the list view's most common filter + sort):
-- without it every namesake is read and sorted per page.
CREATE INDEX contacts_last_name_updated ON contacts (tenant_id, last_name, updated_at);
