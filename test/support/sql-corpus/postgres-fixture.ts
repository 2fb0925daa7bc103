/**
 * The schema the PostgreSQL corpus runs against, created on the primary before the standby is read.
 * Besides ordinary tables it has what the catalogue's functions need (a BRIN and a GIN index with a pending
 * list, a sequence, a large object) and the user objects behind the documented limitation: a function, a
 * view and a procedure that write, which no classifier can see from the statement text.
 */
export const POSTGRES_FIXTURE_SQL = `
create table person (id integer primary key, first_name text not null, last_name text, age integer,
  tags text[] not null default '{}', doc jsonb not null default '{}');
create table pet (id integer primary key, owner_id integer not null references person (id), name text not null,
  species text not null);
create table toy (id integer primary key, pet_id integer references pet (id), name text);
create table audit_log (id bigserial primary key, message text not null);
create table "analyze" (id integer primary key, "select" text);
create table "Mixed Case" (id integer primary key, "for" text);
create sequence person_seq;
create index person_id_brin on person using brin (id) with (pages_per_range = 1);
create index person_tags_gin on person using gin (tags) with (fastupdate = on);
insert into person (id, first_name, last_name, age, tags)
  select g, 'first ' || g, 'last ' || g, 20 + g % 50, array['t' || g % 5] from generate_series(1, 200) g;
insert into pet (id, owner_id, name, species) select g, 1 + g % 200, 'pet ' || g, 'cat' from generate_series(1, 300) g;
insert into toy (id, pet_id, name) select g, 1 + g % 300, 'toy ' || g from generate_series(1, 100) g;
insert into "analyze" values (1, 'one');
insert into "Mixed Case" values (1, 'update');
create materialized view person_count as select count(*) as n from person;
create view adult as select * from person where age >= 18;
create function write_audit(message text) returns bigint language sql volatile
  as $$ insert into audit_log (message) values (message) returning id $$;
create function read_label(person_id integer) returns text language sql stable
  as $$ select first_name from person where id = person_id $$;
create view audited_person as select p.id, write_audit('read ' || p.id) as audit_id from person p;
create procedure add_audit(message text) language sql as $$ insert into audit_log (message) values (message) $$;
create function plpgsql_writer() returns integer language plpgsql volatile
  as $$ begin insert into audit_log (message) values ('plpgsql'); return 1; end $$;
select lo_from_bytea(4242, 'large object');
analyze;
`;
