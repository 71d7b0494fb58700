"""The unit's economy (ekonomi): reference data with validity dates (FK's hourly amount, the municipality's
hourly rates by time band, wage supplements, sick pay, the employer's social fees), the wage terms of each
employee, budgets and other costs per unit and month, internal invoices to the purchaser (never edited: a
correction is a credit and a new invoice) and the log of payroll exports.

Money is `Decimal` kronor. Wages are kept here, keyed by staff's `Employee`, not on the employee: only holders
of `economy.view` see them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from bista.clients.models import Client
from bista.core.models import Unit
from bista.staff.models import Employee


class Band(models.TextChoices):
    """The time bands of rates and supplements (timereports' bands, with day and holiday)."""

    DAY = "day", "Dag"
    EVENING = "evening", "Kväll"
    NIGHT = "night", "Natt"
    WEEKEND = "weekend", "Helg"
    HOLIDAY = "holiday", "Storhelg"


def _validity(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name=name)


class Validity(models.Model):
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    source = models.CharField("källa", max_length=200, blank=True)

    class Meta:
        abstract = True


class FkHourlyAmount(Validity):
    """Försäkringskassan's schablonbelopp per hour of personal assistance, per calendar year (*verify*)."""

    amount = models.DecimalField("timbelopp (kr)", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "FK:s timbelopp"
        verbose_name_plural = "FK:s timbelopp"
        ordering = ["valid_from", "id"]
        constraints = [
            _validity("fkamount_to_after_from"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fkamount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} kr från {self.valid_from}"


class RaisedAmount(models.Model):
    """A raised hourly amount FK has granted a client (at most 12 % over the schablon, *verify*)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name="brukare")
    amount = models.DecimalField("förhöjt timbelopp (kr)", max_digits=10, decimal_places=2)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    note = models.CharField("anteckning", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "förhöjt timbelopp"
        verbose_name_plural = "förhöjda timbelopp"
        ordering = ["client_id", "valid_from", "id"]
        constraints = [
            _validity("raisedamount_to_after_from"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="raisedamount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} kr från {self.valid_from}"


class MunicipalRate(Validity):
    """The municipality's hourly rate for a service (care's `Service.code`) in a time band (*verify*). For
    personal assistance (lss_9_2) it is the rate of the first hours of each week the municipality pays."""

    service_code = models.CharField("insats (kod)", max_length=40)
    band = models.CharField("tidsband", max_length=10, choices=Band.choices)
    amount = models.DecimalField("timpris (kr)", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "kommunens timpris"
        verbose_name_plural = "kommunens timpriser"
        ordering = ["service_code", "band", "valid_from", "id"]
        constraints = [
            _validity("municipalrate_to_after_from"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="municipalrate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.get_band_display()} {self.amount} kr"


class PayType(models.TextChoices):
    MONTHLY = "monthly", "Månadslön"
    HOURLY = "hourly", "Timlön"


class WageTerm(models.Model):
    """An employee's pay from `valid_from`: a monthly salary (at full time; × the employment rate) or an hourly
    pay. A change is a new row; the previous one is ended, never edited."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name="medarbetare")
    pay_type = models.CharField("lönform", max_length=10, choices=PayType.choices)
    monthly_salary = models.DecimalField(
        "månadslön vid heltid (kr)", null=True, blank=True, max_digits=10, decimal_places=2
    )
    hourly_pay = models.DecimalField("timlön (kr)", null=True, blank=True, max_digits=10, decimal_places=2)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lönevillkor"
        verbose_name_plural = "lönevillkor"
        ordering = ["employee_id", "valid_from", "id"]
        constraints = [
            _validity("wageterm_to_after_from"),
            models.CheckConstraint(
                condition=Q(monthly_salary__isnull=True) | Q(monthly_salary__gte=0), name="wageterm_salary_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(hourly_pay__isnull=True) | Q(hourly_pay__gte=0), name="wageterm_hourly_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_pay_type_display()} från {self.valid_from}"


class Supplement(models.TextChoices):
    OB = "ob", "OB-tillägg"
    OVERTIME = "overtime", "Övertidstillägg"
    MERTID = "mertid", "Mertidstillägg"
    ON_CALL = "on_call", "Jourersättning"
    STANDBY = "standby", "Beredskapsersättning"


class WageSupplement(Validity):
    """A supplement (*verify* against the agreement): kronor per hour (OB by band, jour, beredskap) or per cent
    of the hourly pay (overtime, mertid)."""

    code = models.CharField("tillägg", max_length=10, choices=Supplement.choices)
    band = models.CharField("tidsband", max_length=10, choices=Band.choices, blank=True)
    amount_per_hour = models.DecimalField("kr per timme", null=True, blank=True, max_digits=10, decimal_places=2)
    percent = models.DecimalField("procent av timlönen", null=True, blank=True, max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = "lönetillägg"
        verbose_name_plural = "lönetillägg"
        ordering = ["code", "band", "valid_from", "id"]
        constraints = [
            _validity("wagesupplement_to_after_from"),
            models.CheckConstraint(
                condition=(Q(amount_per_hour__isnull=True) | Q(amount_per_hour__gte=0))
                & (Q(percent__isnull=True) | Q(percent__gte=0)),
                name="wagesupplement_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.band} från {self.valid_from}"


class SickPayRule(Validity):
    """Sick pay (sjuklönelagen, *verify*): `percent` of the pay from day 2 (or the first day, less the
    karensavdrag of `karens_percent` of a week's sick pay), paid by the employer up to `employer_days`."""

    percent = models.DecimalField("sjuklön (%)", max_digits=5, decimal_places=2, default=Decimal("80"))
    karens_percent = models.DecimalField("karensavdrag (% av veckans sjuklön)", max_digits=5, decimal_places=2)
    employer_days = models.PositiveSmallIntegerField("arbetsgivarens sjuklönedagar", default=14)

    class Meta:
        verbose_name = "sjuklöneregel"
        verbose_name_plural = "sjuklöneregler"
        ordering = ["valid_from", "id"]
        constraints = [_validity("sickpayrule_to_after_from")]

    def __str__(self) -> str:
        return f"{self.percent} % från {self.valid_from}"


class SocialFeeRate(Validity):
    """PO-pålägg: the employer's social fees and agreed insurances as a per cent of the wage (*verify*)."""

    percent = models.DecimalField("PO-pålägg (%)", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "PO-pålägg"
        verbose_name_plural = "PO-pålägg"
        ordering = ["valid_from", "id"]
        constraints = [
            _validity("socialfee_to_after_from"),
            models.CheckConstraint(condition=Q(percent__gte=0), name="socialfee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.percent} % från {self.valid_from}"


class Budget(models.Model):
    """The unit's budget for a month: revenue and cost (kronor). A change replaces the figures (audited)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    month = models.DateField("månad")
    revenue = models.DecimalField("budgeterade intäkter (kr)", max_digits=14, decimal_places=2)
    cost = models.DecimalField("budgeterade kostnader (kr)", max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "budget"
        verbose_name_plural = "budget"
        ordering = ["unit_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="budget_unit_month"),
            models.CheckConstraint(condition=Q(revenue__gte=0) & Q(cost__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Budget {self.month:%Y-%m}"

    @property
    def result(self) -> Decimal:
        return self.revenue - self.cost


class StoredMonth(models.Model):
    """A unit's month's figures as computed when the month was closed (`figures.store_month`): the revenue lines
    and each person's time and wage cost, as JSON (Decimal as text). Valid only while the month's close is
    locked at `close_version` — a correction reopens the month (the version moves on) and the figures are
    computed live until the month is locked again, which stores them anew. Budget and other costs are not
    stored: they are read live. A cache of what the records say, never entered: `bista economy_store_months`
    fills it for months closed before it existed."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    month = models.DateField("månad")
    close_version = models.PositiveIntegerField("månadsavslutets version")
    data = models.JSONField("siffror")
    stored_at = models.DateTimeField("beräknad")

    class Meta:
        verbose_name = "sparad månadsekonomi"
        verbose_name_plural = "sparade månadsekonomier"
        ordering = ["unit_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="storedmonth_unit_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="storedmonth_first_day"),
        ]

    def __str__(self) -> str:
        return f"Sparad ekonomi {self.month:%Y-%m}"


class CostCategory(models.TextChoices):
    PREMISES = "premises", "Lokaler"
    MATERIAL = "material", "Material"
    TRAVEL = "travel", "Resor"
    OTHER = "other", "Övrigt"


class OtherCost(models.Model):
    """A cost of the month other than wages (premises, material, travel …)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    month = models.DateField("månad")
    category = models.CharField("kostnadsslag", max_length=10, choices=CostCategory.choices)
    amount = models.DecimalField("belopp (kr)", max_digits=14, decimal_places=2)
    note = models.CharField("anteckning", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "övrig kostnad"
        verbose_name_plural = "övriga kostnader"
        ordering = ["unit_id", "month", "category", "id"]
        indexes = [models.Index(fields=["unit", "month"], name="othercost_unit_month_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="othercost_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.month:%Y-%m}"


class Invoice(models.Model):
    """An internal invoice basis to the purchaser for the unit's month, or the credit of one. Never edited: a
    correction credits the invoice in force and makes a new one."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Faktura"
        CREDIT = "credit", "Kreditfaktura"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    month = models.DateField("månad")
    number = models.CharField("fakturanummer", max_length=30, unique=True)
    kind = models.CharField("typ", max_length=10, choices=Kind.choices, default=Kind.INVOICE)
    credits = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credited_by", verbose_name="krediterar"
    )
    total = models.DecimalField("summa (kr)", max_digits=14, decimal_places=2)
    reason = models.CharField("anledning", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "fakturaunderlag"
        verbose_name_plural = "fakturaunderlag"
        ordering = ["unit_id", "month", "created_at", "id"]
        indexes = [models.Index(fields=["unit", "month"], name="invoice_unit_month_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="invoice", credits__isnull=True) | Q(kind="credit", credits__isnull=False),
                name="invoice_credit_names_invoice",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name="brukare")
    service_code = models.CharField("insats (kod)", max_length=40)
    band = models.CharField("tidsband", max_length=10, choices=Band.choices)
    hours = models.DecimalField("timmar", max_digits=10, decimal_places=2)
    rate = models.DecimalField("timpris (kr)", max_digits=10, decimal_places=2)
    amount = models.DecimalField("belopp (kr)", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "fakturarad"
        verbose_name_plural = "fakturarader"
        ordering = ["invoice_id", "client_id", "service_code", "band", "id"]

    def __str__(self) -> str:
        return f"{self.service_code} {self.band} {self.hours} h"


class PayrollExport(models.Model):
    """The log of one payroll-basis export (who, when, which unit and month, the format and the file's hash)."""

    class Format(models.TextChoices):
        PAXML = "paxml", "PAXml"
        CSV = "csv", "CSV"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    month = models.DateField("månad")
    format = models.CharField("format", max_length=10, choices=Format.choices)
    employees = models.PositiveIntegerField("antal medarbetare")
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "export av löneunderlag"
        verbose_name_plural = "exporter av löneunderlag"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Löneunderlag {self.month:%Y-%m} ({self.format})"
