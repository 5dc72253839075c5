// The profile route follows what the server's OpenAPI document offers and the user's role.
import { describe, expect, it } from 'vitest';
import { profileRoute } from './profile';

const admin = { permissions: { manage_users: true, manage_metadata: true, read_only: false } };
const rep = { permissions: { manage_users: false, manage_metadata: false, read_only: false } };
const withPatchMe = { paths: { '/api/v1/me': { get: {}, patch: {} }, '/api/v1/users/{id}': { patch: {} } } };
const withoutPatchMe = { paths: { '/api/v1/me': { get: {} }, '/api/v1/users/{id}': { patch: {} } } };

describe('profile route', () => {
  it('uses PATCH /me for everyone when the server has it', () => {
    expect(profileRoute(withPatchMe, rep)).toBe('me');
    expect(profileRoute(withPatchMe, admin)).toBe('me');
  });

  it('falls back to PATCH /users/{id} for administrators, this browser for others', () => {
    expect(profileRoute(withoutPatchMe, admin)).toBe('users');
    expect(profileRoute(withoutPatchMe, rep)).toBe('local');
  });

  it('treats an unreadable document as an older server', () => {
    expect(profileRoute(null, rep)).toBe('local');
    expect(profileRoute({}, admin)).toBe('users');
  });
});
