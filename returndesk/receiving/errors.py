"""Why a receipt or a parcel is refused."""

from returndesk.core.errors import Conflict, NotFound, Unprocessable


class ScanMismatch(Unprocessable):
    code, title = "scan_mismatch", "The scanned code is not the code of this return"


class ParcelNotFound(NotFound):
    code, title = "not_found", "No parcel with this id is visible to this key"


class ParcelAlreadyMatched(Conflict):
    code, title = "parcel_already_matched", "The parcel is already matched to a return"
