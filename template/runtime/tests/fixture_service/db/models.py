"""The service's own tables. Alembic compares this metadata, and the runtime's outbox
table, with the database (`make migration message="..."`), so a change here is followed
by a revision."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints, so later migrations can alter or drop them by name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    """The signup example's accounts."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _created_at()
    welcomed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChargeEntry(Base):
    """The charge example's ledger. The unique idempotency key is the job's
    idempotency store: the entry and the key are one row, committed together."""

    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    charged_by_job: Mapped[str] = mapped_column(String(36))
    charged_at: Mapped[datetime] = _created_at()
