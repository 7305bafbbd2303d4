"""電子發票 through a value-added centre (加值中心): what the product asks of any centre
(`Centre`), and ECPay's (`centre_for(shop_id)`).

    centre = centre_for(shop_id)
    issued = centre.issue(Sale(relate_number="SL1A2B3C", items=[...], total=1050, sales=1000,
                               tax=50, carrier_type="mobile", carrier_number="/ABC+123"))
"""
from chalicelib.outward.einvoice.centre import Centre
from chalicelib.outward.einvoice.ecpay import ECPayCentre, centre_for
from chalicelib.outward.einvoice.errors import CentreDown, CentreRefused
from chalicelib.outward.einvoice.sale import Allowed, CarrierType, Issued, IssuedFor, Item, Sale

__all__ = ["Allowed", "CarrierType", "Centre", "CentreDown", "CentreRefused", "ECPayCentre",
           "Issued", "IssuedFor", "Item", "Sale", "centre_for"]
