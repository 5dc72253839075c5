import { describe, expect, it } from 'vitest';
import { en } from '../../i18n/locales/en';
import { reasonKey } from './DuplicateWarning';
import { draftKey, hasDuplicateCheck } from './api';

describe('duplicate check helpers', () => {
  it('names a reason by the word before its similarity', () => {
    expect(reasonKey('name_similar:0.93')).toBe('name_similar');
    expect(reasonKey('same_phone')).toBe('same_phone');
  });

  it('every reason the matcher gives for people and companies has a label', () => {
    for (const r of ['same_phone', 'same_email', 'same_website', 'name_similar:0.9', 'company_similar:0.8', 'names_swapped', 'phone_differs']) {
      expect(Object.keys(en.quality.reasons)).toContain(reasonKey(r));
    }
  });

  it('re-checks only when an identifying field changes', () => {
    const a = draftKey({ first_name: 'Ivan', phone: '8915', position: 'CEO' });
    expect(draftKey({ first_name: 'Ivan', phone: '8915', position: 'CTO' })).toBe(a);
    expect(draftKey({ first_name: 'Ivan ', phone: '8915' })).toBe(a);
    expect(draftKey({ first_name: 'Ivan', phone: '89151' })).not.toBe(a);
  });

  it('checks contacts, companies and leads only', () => {
    expect(hasDuplicateCheck('contacts')).toBe(true);
    expect(hasDuplicateCheck('leads')).toBe(true);
    expect(hasDuplicateCheck('deals')).toBe(false);
  });
});
