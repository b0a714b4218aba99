import * as assert from 'node:assert/strict';
import type { Machine } from '../../../src/api/mde';
import { odataClause, odataString, ODataFilterError, searchDevices, validateODataFilter } from '../../../src/defender/deviceSearch';

const m = (id: string, name: string, over: Partial<Machine> = {}): Machine => ({ id, computerDnsName: name, ...over });
const devices = [
  m('a1', 'ws-fin-01.contoso.local', { lastIpAddress: '10.0.0.5', machineTags: ['pilot'], osPlatform: 'Windows11' }),
  m('b2', 'srv-sql-02.contoso.local', { rbacGroupName: 'Servers', osPlatform: 'WindowsServer2022' }),
  m('c3', 'finance-laptop.contoso.local', { osPlatform: 'Windows10' }),
  m('d4', 'mac-design-01.contoso.local', { osPlatform: 'macOS', machineTags: ['Finance'] }),
];

describe('device search (unit)', () => {
  it('matches every word case-insensitively over name, id, IP, platform, group and tags', () => {
    assert.deepEqual(searchDevices(devices, 'SQL').matches.map((x) => x.machine.id), ['b2']);
    assert.deepEqual(searchDevices(devices, '10.0.0.5').matches.map((x) => x.machine.id), ['a1']);
    assert.deepEqual(searchDevices(devices, 'servers 2022').matches.map((x) => x.machine.id), ['b2']);
    assert.deepEqual(searchDevices(devices, 'pilot').matches.map((x) => x.machine.id), ['a1']);
    assert.equal(searchDevices(devices, 'nothing-like-this').total, 0);
  });

  it('ranks a name prefix first, then a name part, then other fields', () => {
    const r = searchDevices(devices, 'fin').matches.map((x) => x.machine.computerDnsName);
    assert.deepEqual(r, ['finance-laptop.contoso.local', 'ws-fin-01.contoso.local', 'mac-design-01.contoso.local']);
  });

  it('caps the list but counts every match', () => {
    const many = Array.from({ length: 1000 }, (_, i) => m(`id${i}`, `pc-${i}`));
    const r = searchDevices(many, 'pc', 50);
    assert.equal(r.matches.length, 50);
    assert.equal(r.total, 1000);
    assert.equal(searchDevices(many, '').total, 1000);
  });
});

describe('OData $filter for GET /api/machines (unit)', () => {
  it('quotes strings by doubling single quotes', () => {
    assert.equal(odataString("O'Brien's PC"), "'O''Brien''s PC'");
    assert.equal(odataClause('computerDnsName', 'eq', "x' or 1 eq 1 or 'a"), "computerDnsName eq 'x'' or 1 eq 1 or ''a'");
  });

  it('builds clauses by the field kind: text quoted, dates and numbers bare, tags through contains()', () => {
    assert.equal(odataClause('healthStatus', 'ne', 'Active'), "healthStatus ne 'Active'");
    assert.equal(odataClause('lastSeen', 'gt', '2026-11-01Z'), 'lastSeen gt 2026-11-01Z');
    assert.equal(odataClause('rbacGroupId', 'eq', '12'), 'rbacGroupId eq 12');
    assert.equal(odataClause('machineTags', 'contains', 'Critical'), "contains(machineTags,'Critical')");
    assert.throws(() => odataClause('machineTags', 'eq', 'x'), /contains/);
    assert.throws(() => odataClause('lastSeen', 'gt', 'yesterday'), ODataFilterError);
    assert.throws(() => odataClause('rbacGroupId', 'eq', '1; drop'), /whole number/);
    assert.throws(() => odataClause('managedBy', 'eq', 'Intune'), /cannot be filtered on/);
  });

  it('accepts the documented examples and normalises field casing', () => {
    assert.equal(validateODataFilter("riskScore eq 'High'"), "riskScore eq 'High'");
    assert.equal(validateODataFilter("healthStatus ne 'Active'"), "healthStatus ne 'Active'");
    assert.equal(validateODataFilter('lastSeen gt 2018-08-01Z'), 'lastSeen gt 2018-08-01Z');
    assert.equal(validateODataFilter("contains(machineTags,'Critical')"), "contains(machineTags,'Critical')");
    assert.equal(validateODataFilter("CONTAINS(osplatform, 'Windows')"), "contains(osPlatform,'Windows')");
    assert.equal(
      validateODataFilter("(osPlatform eq 'Windows11' or osPlatform eq 'Windows10') AND not healthStatus eq 'Inactive'"),
      "(osPlatform eq 'Windows11' or osPlatform eq 'Windows10') and not healthStatus eq 'Inactive'",
    );
    assert.equal(validateODataFilter("computerDnsName eq 'it''s'"), "computerDnsName eq 'it''s'");
  });

  it('says what is wrong with a bad filter', () => {
    const bad: [string, RegExp][] = [
      ["healthStatus eq Active", /single quotes/],
      ["healthStatus eq 'Active", /no closing quote/],
      ["foo eq 'x'", /cannot be filtered on/],
      ["healthStatus like 'x'", /Expected eq, ne/],
      ["healthStatus eq 'a' 'b'", /join conditions/],
      ['lastSeen gt 2026-11-01', /zone/],
      ["lastSeen gt '2026-11-01Z'", /date/],
      ["(healthStatus eq 'a'", /Expected "\)"/],
      ['', /empty/],
      ["healthStatus eq 'a'; $top=1", /Unexpected ";"/],
    ];
    for (const [text, re] of bad) assert.throws(() => validateODataFilter(text), (e: unknown) => e instanceof ODataFilterError && re.test(e.message), text);
  });
});
