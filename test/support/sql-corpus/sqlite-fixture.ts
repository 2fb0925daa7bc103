/** The schema the SQLite corpus runs against: the tables of the PostgreSQL fixture, in SQLite's terms. */
export const SQLITE_FIXTURE_SQL = `
create table person (id integer primary key, first_name text not null, last_name text, age integer);
create table pet (id integer primary key, owner_id integer not null references person (id), name text not null,
  species text not null);
create table toy (id integer primary key, pet_id integer references pet (id), name text);
create table audit_log (id integer primary key autoincrement, message text not null);
create table "analyze" (id integer primary key, "select" text);
create index person_age on person (age);
with recursive g(n) as (select 1 union all select n + 1 from g where n < 200)
  insert into person (id, first_name, last_name, age) select n, 'first ' || n, 'last ' || n, 20 + n % 50 from g;
with recursive g(n) as (select 1 union all select n + 1 from g where n < 300)
  insert into pet (id, owner_id, name, species) select n, 1 + n % 200, 'pet ' || n, 'cat' from g;
insert into toy (id, pet_id, name) select id, id, 'toy ' || id from pet where id <= 100;
insert into "analyze" values (1, 'one');
create view adult as select * from person where age >= 18;
create trigger person_audit after update on person begin
  insert into audit_log (message) values ('updated ' || new.id);
end;
`;
