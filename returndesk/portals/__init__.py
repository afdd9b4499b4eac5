"""The pages people use: the buyer, seller, counter and customer-service portals.

The one app with views and templates. It has no models: each view calls one service or selector
of a lower app, with the signed-in session's actor.
"""
