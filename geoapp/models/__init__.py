"""SQLAlchemy models. Importing this package registers every table on `Base.metadata`."""

from geoapp.models.base import Base
from geoapp.models.complaints import Complaint, ComplaintEvent, ImportBatch
from geoapp.models.derived import ComplaintMapPoint, DataVersion
from geoapp.models.org import Department, User
from geoapp.models.reference import Building, Microdistrict, Parcel, Zone
from geoapp.models.violations import CheckRun, ParcelViolation, ViolationReview

__all__ = [
    "Base",
    "Building",
    "CheckRun",
    "Complaint",
    "ComplaintEvent",
    "ComplaintMapPoint",
    "DataVersion",
    "Department",
    "ImportBatch",
    "Microdistrict",
    "Parcel",
    "ParcelViolation",
    "User",
    "ViolationReview",
    "Zone",
]
