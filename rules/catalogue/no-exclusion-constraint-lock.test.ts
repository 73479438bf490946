import { ruleTester } from '../testing/tester';
import { noExclusionConstraintLock } from './no-exclusion-constraint-lock';

ruleTester(noExclusionConstraintLock, {
  valid: [
    'CREATE TABLE bookings (id bigint PRIMARY KEY, room_id bigint, during tstzrange,\n  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&));',
    'CREATE TABLE bookings (id bigint PRIMARY KEY, room_id bigint, during tstzrange);\nALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);',
  ],
  invalid: [
    {
      sql: 'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);',
      errors: [{ line: 1, column: 26, messageId: 'addExclude' }],
    },
    {
      sql: { 'db/001.sql': 'CREATE TABLE "Buchung" (id bigint, "Zeitraum" tstzrange);', 'db/002.sql': '-- keine Überschneidung 📅\nALTER TABLE "Buchung" ADD EXCLUDE USING gist ("Zeitraum" WITH &&);' },
      errors: [{ file: 'db/002.sql', line: 2, column: 27, messageId: 'addExclude' }],
    },
  ],
});
