"""Use cases: one function per thing a person does, with permissions (U1), one transaction
each, and the audit trail (U2). They take and return plain dataclasses, never ORM objects."""
