from returndesk.core.errors import Conflict, NotFound


class OrderConflict(Conflict):
    code, title = "order_conflict", "The re-imported order contradicts what its returns rely on"


class OrderNotFound(NotFound):
    code, title = "order_not_found", "No order with this external id is visible to this key"
