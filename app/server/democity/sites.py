"""Where the demo cameras stand and what the demo hotlists hold.

Coordinates are approximate public intersections in and around Calabasas, CA.
"""
from __future__ import annotations

from ..model import Camera, Hotlist

CAMERAS = [
    Camera("LV-101-N", "Las Virgenes Rd northbound at US-101", "Las Virgenes Rd / US-101", 34.1478, -118.7003, "N"),
    Camera("LV-101-S", "Las Virgenes Rd southbound at US-101", "Las Virgenes Rd / US-101", 34.1472, -118.7006, "S"),
    Camera("LV-MUL-N", "Las Virgenes Rd northbound at Mulholland Hwy", "Las Virgenes Rd / Mulholland Hwy", 34.1142, -118.7119, "N"),
    Camera("CR-OT-E", "Calabasas Rd eastbound, Old Town", "Old Town Calabasas", 34.1577, -118.6391, "E"),
    Camera("CR-OT-W", "Calabasas Rd westbound, Old Town", "Old Town Calabasas", 34.1579, -118.6398, "W"),
    Camera("MUL-OTC-W", "Mulholland Hwy westbound at Old Topanga Canyon Rd", "Mulholland Hwy / Old Topanga", 34.1339, -118.6540, "W"),
    Camera("LH-101-S", "Lost Hills Rd southbound at US-101", "Lost Hills Rd / US-101", 34.1437, -118.7143, "S"),
    Camera("AG-LV-E", "Agoura Rd eastbound at Las Virgenes Rd", "Agoura Rd / Las Virgenes Rd", 34.1436, -118.7047, "E"),
    Camera("PC-CC-N", "Parkway Calabasas northbound at Calabasas Rd", "Parkway Calabasas / Calabasas Rd", 34.1531, -118.6566, "N"),
    Camera("PC-CO-S", "Parkway Calabasas southbound at Park Granada", "Parkway Calabasas / Park Granada", 34.1428, -118.6615, "S"),
    Camera("OTC-N", "Old Topanga Canyon Rd northbound at Mulholland Dr", "Old Topanga Canyon Rd", 34.1386, -118.6347, "N"),
    Camera("MAL-CYN-S", "Malibu Canyon Rd southbound (city limit)", "Malibu Canyon Rd", 34.1045, -118.7095, "S"),
]

HOTLISTS = [
    Hotlist("ca-doj-svs", "Stolen vehicles", "CA DOJ SVS (Stolen Vehicle System)", "stolen", 1),
    Hotlist("lasd-wanted", "Wanted persons (vehicle of interest)", "LASD Lost Hills / CLETS wanted persons", "wanted", 1),
    Hotlist("ca-doj-mups", "Missing persons (AMBER / SILVER alert)", "CA DOJ MUPS / CHP alerts", "missing", 1),
    Hotlist("city-ce", "Code enforcement", "City of Calabasas Code Enforcement", "code_enforcement", 4),
]

# (hotlist, reason, priority, days until expiry or None)
ENTRY_KINDS = [
    ("ca-doj-svs", "Stolen vehicle (VC 10851), reported {d} days ago", 1, None),
    ("ca-doj-svs", "Stolen license plates (PC 496d)", 1, None),
    ("lasd-wanted", "Registered owner has a felony warrant (PC 459 burglary)", 2, 30),
    ("ca-doj-mups", "SILVER alert: vehicle of an at-risk missing adult", 1, 7),
    ("city-ce", "Unpaid parking citations over $500 (CMC 10.24)", 4, 90),
    ("city-ce", "Oversize vehicle parked on residential street (CMC 10.28)", 5, 60),
]

# Relative traffic by hour of day (0..23): quiet nights, two commute peaks.
HOURLY = [0.15, 0.08, 0.05, 0.05, 0.12, 0.35, 0.8, 1.6, 2.0, 1.3, 0.9, 0.95,
          1.05, 1.0, 1.05, 1.3, 1.7, 2.0, 1.6, 1.0, 0.7, 0.5, 0.35, 0.22]

# Vehicle details some vendors send with a read (issue 15): the demo's newer cameras do.
VEHICLE_CAMERAS = frozenset({"LV-101-N", "LV-101-S", "CR-OT-E", "CR-OT-W", "PC-CC-N", "AG-LV-E"})
MAKES = ("Toyota", "Honda", "Ford", "Chevrolet", "Tesla", "Nissan", "BMW", "Subaru", "Hyundai", "Jeep")
COLOURS = ("white", "black", "silver", "grey", "blue", "red", "green")
BODIES = ("sedan", "SUV", "pickup", "hatchback", "van", "coupe")
