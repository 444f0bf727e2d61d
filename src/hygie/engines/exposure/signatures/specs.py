"""The signatures themselves: edge devices first, then administration pages, then plain web servers.

Each entry's ``description`` says what it matches on; markers use only publicly documented
tell-tales of the product's unauthenticated pages.
"""

from __future__ import annotations

from hygie.engines.exposure.model import Category
from hygie.engines.exposure.signatures.model import (
    DeviceKind,
    Marker,
    Part,
    ServerProduct,
    Signature,
    VersionRule,
    body_marker,
    cookie_marker,
    header_marker,
    location_marker,
    title_marker,
)

__all__ = ["SERVER_PRODUCTS", "SIGNATURES"]

_EDGE = DeviceKind.EDGE
_ADMIN = DeviceKind.ADMIN
_VPN = Category.VPN
_ADM = Category.ADMIN

#: Every signature, edge devices first. Order matters only between signatures of one vendor
#: (the first that matches wins there); products of different vendors never share markers.
SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="fortinet_fortigate",
        vendor="Fortinet",
        product="FortiOS",
        kind=_EDGE,
        category=_VPN,
        description=(
            "FortiGate SSL-VPN portal and administration page: the portal lives under /remote/ "
            "(/ redirects to /remote/login), sets the SVPNCOOKIE cookie and loads /remote/fgt_lang; "
            "the administration page loads ftnt-fortinet-grid. No unauthenticated version disclosure."
        ),
        markers=(
            location_marker(r"/remote/login"),
            body_marker(r"/remote/(?:login|fgt_lang|logincheck)"),
            cookie_marker(r"^SVPN(?:NETWORK)?COOKIE$"),
            body_marker(r"ftnt-fortinet-grid|fortinet-grid"),
            title_marker(r"^Forti(?:Gate|net)"),
        ),
        cpe_part="o",
        cpe_vendor="fortinet",
        cpe_product="fortios",
        follow=("/remote/login",),
    ),
    Signature(
        key="ivanti_connect_secure",
        vendor="Ivanti",
        product="Ivanti Connect Secure",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Ivanti Connect Secure (formerly Pulse Connect Secure) SSL-VPN: the sign-in pages live "
            "under /dana-na/ (/ redirects to /dana-na/auth/url_default/welcome.cgi), cookies DSSignInURL "
            "and DSID; the client version file /dana-na/nc/nc_gina_ver.txt discloses the build as "
            'PARAM NAME="ProductVersion" VALUE="22.3.1.1471" without authentication.'
        ),
        markers=(
            location_marker(r"/dana-na/"),
            body_marker(r"/dana-na/|/dana-cached/"),
            cookie_marker(r"^(?:DSSignInURL|DSID|DSLastAccess)$"),
            title_marker(r"(?:Ivanti|Pulse) (?:Connect|Policy) Secure"),
        ),
        cpe_vendor="ivanti",
        cpe_product="connect_secure",
        follow=("/dana-na/auth/url_default/welcome.cgi", "/dana-na/nc/nc_gina_ver.txt"),
        versions=(
            VersionRule(
                Part.BODY,
                r"NAME=\"?ProductVersion\"?\s+VALUE=\"(?P<version>[0-9][0-9A-Za-z.]*)\"",
                path="/dana-na/nc/nc_gina_ver.txt",
            ),
        ),
    ),
    Signature(
        key="citrix_netscaler",
        vendor="Citrix",
        product="NetScaler ADC",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Citrix NetScaler ADC / Gateway (formerly Citrix ADC, Citrix Gateway): the portal lives at "
            "/vpn/index.html or /logon/LogonPoint/, titled 'Citrix Gateway' or 'NetScaler Gateway', and "
            "sets NSC_* cookies (NSC_TMAS, NSC_AAAC). The version only shows through hashed resource "
            "names, which need a lookup table: not disclosed here."
        ),
        markers=(
            location_marker(r"/vpn/index\.html|/logon/LogonPoint/"),
            body_marker(r"/vpn/resources/|/logon/LogonPoint/|/vpn/js/"),
            title_marker(r"(?:Citrix|NetScaler) (?:Gateway|AAA|ADC)"),
            cookie_marker(r"^NSC_[A-Za-z0-9_]+$"),
        ),
        cpe_part="o",
        cpe_vendor="citrix",
        cpe_product="netscaler_application_delivery_controller",
        follow=("/vpn/index.html",),
    ),
    Signature(
        key="paloalto_globalprotect",
        vendor="Palo Alto Networks",
        product="PAN-OS",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Palo Alto Networks GlobalProtect portal or gateway (PAN-OS): pages under /global-protect/ "
            "(login.esp, prelogin.esp) and /ssl-vpn/, titled 'GlobalProtect Portal'. The PAN-OS version "
            "is not disclosed without authentication."
        ),
        markers=(
            location_marker(r"/global-protect/|/ssl-vpn/"),
            body_marker(r"/global-protect/|GlobalProtect Portal|/ssl-vpn/"),
            title_marker(r"GlobalProtect"),
        ),
        cpe_part="o",
        cpe_vendor="paloaltonetworks",
        cpe_product="pan-os",
        follow=("/global-protect/login.esp",),
    ),
    Signature(
        key="cisco_asa",
        vendor="Cisco",
        product="Cisco ASA",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Cisco ASA (and FTD) clientless SSL VPN / AnyConnect gateway: / redirects to "
            "/+CSCOE+/logon.html, cookies webvpn and webvpnlogin; the AnyConnect endpoint "
            '/CSCOSSLC/config-auth answers an XML document whose <version who="sg"> element is the '
            "ASA software version."
        ),
        markers=(
            location_marker(r"/\+CSCOE\+/"),
            body_marker(r"/\+CSCOE\+/|/\+CSCOU\+/|/\+webvpn\+/"),
            cookie_marker(r"^webvpn(?:login|context|_portal)?$"),
            body_marker(r"<config-auth\b", path="/CSCOSSLC/config-auth"),
        ),
        cpe_part="o",
        cpe_vendor="cisco",
        cpe_product="adaptive_security_appliance_software",
        follow=("/CSCOSSLC/config-auth",),
        versions=(
            VersionRule(
                Part.BODY, r"<version\s+who=\"sg\"\s*>\s*(?P<version>[^<\s]{1,40})\s*<", path="/CSCOSSLC/config-auth"
            ),
        ),
    ),
    Signature(
        key="sonicwall_sma",
        vendor="SonicWall",
        product="SonicWall SMA",
        kind=_EDGE,
        category=_VPN,
        description=(
            "SonicWall Secure Mobile Access (SMA 100 series) appliance: Server header 'SonicWALL SSL-VPN "
            "Web Server', the 'Virtual Office' portal under /cgi-bin/welcome. No version disclosure."
        ),
        markers=(
            header_marker("server", r"SonicWALL SSL-VPN"),
            location_marker(r"/cgi-bin/welcome"),
            title_marker(r"Virtual Office"),
        ),
        cpe_part="o",
        cpe_vendor="sonicwall",
        cpe_product="sma_100_firmware",
        follow=("/cgi-bin/welcome",),
    ),
    Signature(
        key="sonicwall_sonicos",
        vendor="SonicWall",
        product="SonicOS",
        kind=_EDGE,
        category=_VPN,
        description=(
            "SonicWall firewall (SonicOS) management or SSL-VPN page: Server header 'SonicWALL' or "
            "'SonicOS', the /sonicui/ user interface and /api/sonicos/ endpoints."
        ),
        markers=(
            header_marker("server", r"^Sonic(?:WALL|OS)\b(?!.*SSL-VPN)"),
            body_marker(r"/sonicui/|/api/sonicos/"),
            location_marker(r"/sonicui/"),
        ),
        cpe_part="o",
        cpe_vendor="sonicwall",
        cpe_product="sonicos",
    ),
    Signature(
        key="checkpoint_gateway",
        vendor="Check Point",
        product="Check Point Quantum Security Gateway",
        kind=_EDGE,
        category=_VPN,
        description=(
            "Check Point Mobile Access / SSL Network Extender portal: pages under /sslvpn/ "
            "(/sslvpn/Login/Login), titled 'Check Point Mobile' or 'SSL Network Extender', Server header "
            "'Check Point SVN foundation'. No version disclosure."
        ),
        markers=(
            location_marker(r"/sslvpn/"),
            body_marker(r"/sslvpn/Login/|/sslvpn/Portal/"),
            title_marker(r"Check Point|SSL Network Extender"),
            header_marker("server", r"Check Point SVN"),
        ),
        cpe_part="o",
        cpe_vendor="checkpoint",
        cpe_product="quantum_security_gateway",
    ),
    Signature(
        key="f5_bigip",
        vendor="F5",
        product="F5 BIG-IP",
        kind=_EDGE,
        category=_VPN,
        description=(
            "F5 BIG-IP (Access Policy Manager portal or the TMUI configuration utility): persistence "
            "cookies BIGipServer*, APM session cookies MRHSession / LastMRH_Session, the /my.policy and "
            "/tmui/ paths, Server header 'BigIP'. No version disclosure without authentication."
        ),
        markers=(
            cookie_marker(r"^(?:BIGipServer\S*|MRHSession|LastMRH_Session|F5_ST)$"),
            location_marker(r"/my\.policy|/tmui/"),
            body_marker(r"/my\.policy|/tmui/login\.jsp"),
            header_marker("server", r"^Big-?IP"),
            title_marker(r"BIG-IP"),
        ),
        cpe_vendor="f5",
        cpe_product="big-ip_access_policy_manager",
    ),
    # ---- Administration pages -------------------------------------------------------------
    Signature(
        key="webmin",
        vendor="Webmin",
        product="Webmin",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Webmin system administration: served by its own MiniServ web server (Server header "
            "'MiniServ/<version>', the Webmin version), login page titled 'Login to Webmin'."
        ),
        markers=(header_marker("server", r"^MiniServ/"), title_marker(r"Login to (?:Webmin|Usermin|Virtualmin)")),
        cpe_vendor="webmin",
        cpe_product="webmin",
        versions=(VersionRule(Part.HEADER, r"MiniServ/(?P<version>[0-9][0-9.]*)", header="server"),),
    ),
    Signature(
        key="hpe_ilo",
        vendor="Hewlett Packard Enterprise (HPE)",
        product="HPE iLO",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "HPE Integrated Lights-Out (iLO) server management controller: Server header "
            "'HPE-iLO-Server' or 'HP-iLO-Server', title containing 'iLO', the /json/login_session API."
        ),
        markers=(
            header_marker("server", r"HPE?-iLO-Server"),
            title_marker(r"\biLO\b"),
            body_marker(r"/json/login_session"),
        ),
        cpe_part="o",
        cpe_vendor="hpe",
        cpe_product="integrated_lights-out_firmware",
    ),
    Signature(
        key="dell_idrac",
        vendor="Dell",
        product="Dell iDRAC",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Dell iDRAC (integrated Dell Remote Access Controller): title containing 'iDRAC', the "
            "/restgui/ interface (iDRAC9) or /login.html with idrac resources."
        ),
        markers=(title_marker(r"iDRAC"), location_marker(r"/restgui/"), body_marker(r"/restgui/start\.html|idrac")),
        cpe_part="o",
        cpe_vendor="dell",
        cpe_product="idrac_firmware",
    ),
    Signature(
        key="vmware_esxi",
        vendor="VMware",
        product="VMware ESXi",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "VMware ESXi host client: welcome page titled 'VMware ESXi' with the ID_EESX_Welcome "
            "element, the host client under /ui/."
        ),
        markers=(title_marker(r"VMware ESXi"), body_marker(r"ID_EESX_Welcome"), location_marker(r"^/ui/?$")),
        cpe_part="o",
        cpe_vendor="vmware",
        cpe_product="esxi",
    ),
    Signature(
        key="apache_tomcat",
        vendor="Apache",
        product="Apache Tomcat",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Apache Tomcat default pages and Manager application: titles and error pages carrying "
            "'Apache Tomcat/<version>', the Manager's Basic realm 'Tomcat Manager Application' on "
            "/manager/html."
        ),
        markers=(
            title_marker(r"Apache Tomcat"),
            body_marker(r"Apache Tomcat/[0-9]"),
            Marker(Part.HEADER, r"Tomcat Manager Application", header="www-authenticate"),
        ),
        cpe_vendor="apache",
        cpe_product="tomcat",
        follow=("/manager/html",),
        versions=(
            VersionRule(Part.TITLE, r"Apache Tomcat/(?P<version>[0-9][0-9.]*)"),
            VersionRule(Part.BODY, r"Apache Tomcat/(?P<version>[0-9][0-9.]*)"),
        ),
    ),
    Signature(
        key="phpmyadmin",
        vendor="phpMyAdmin",
        product="phpMyAdmin",
        kind=_ADMIN,
        category=_ADM,
        description="phpMyAdmin database administration: title 'phpMyAdmin', cookies phpMyAdmin and pma_lang.",
        markers=(title_marker(r"phpMyAdmin"), cookie_marker(r"^(?:phpMyAdmin|pma_lang|pmaUser-1)$")),
        cpe_vendor="phpmyadmin",
        cpe_product="phpmyadmin",
    ),
    Signature(
        key="orthanc",
        vendor="Orthanc",
        product="Orthanc",
        kind=_ADMIN,
        category=Category.MEDICAL,
        description=(
            "Orthanc DICOM server's web interface (Orthanc Explorer under /app/explorer.html, "
            "/ui/app/ for Orthanc Explorer 2); its REST API /system returns a JSON object with "
            "'Version' when no authentication is configured."
        ),
        markers=(
            location_marker(r"/app/explorer\.html|/ui/app/"),
            title_marker(r"Orthanc"),
            body_marker(r"\"DicomAet\"|Orthanc Explorer", path="/system"),
        ),
        cpe_vendor="orthanc-server",
        cpe_product="orthanc",
        follow=("/system",),
        versions=(VersionRule(Part.BODY, r"\"Version\"\s*:\s*\"(?P<version>[0-9][0-9.]*)\"", path="/system"),),
    ),
    Signature(
        key="printer_hp",
        vendor="HP",
        product="HP printer",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "HP printer embedded web server: Server header 'HP HTTP Server' or 'HP-ChaiSOE', titles of "
            "HP LaserJet / OfficeJet / PageWide pages."
        ),
        markers=(
            header_marker("server", r"HP HTTP Server|HP-ChaiSOE|HP-ChaiServer"),
            title_marker(r"\bHP (?:Color )?(?:LaserJet|OfficeJet|PageWide|DesignJet)"),
        ),
    ),
    Signature(
        key="printer_xerox",
        vendor="Xerox",
        product="Xerox printer",
        kind=_ADMIN,
        category=_ADM,
        description="Xerox printer embedded web server: 'CentreWare Internet Services' or 'Xerox' page titles.",
        markers=(title_marker(r"CentreWare Internet Services|\bXerox\b"), body_marker(r"CentreWare Internet Services")),
    ),
    Signature(
        key="printer_brother",
        vendor="Brother",
        product="Brother printer",
        kind=_ADMIN,
        category=_ADM,
        description="Brother printer web page: Server header 'debut/', titles starting with 'Brother '.",
        markers=(header_marker("server", r"^debut/"), title_marker(r"^Brother\b")),
    ),
    Signature(
        key="printer_canon",
        vendor="Canon",
        product="Canon printer",
        kind=_ADMIN,
        category=_ADM,
        description="Canon printer 'Remote UI': Server header 'CANON HTTP Server', title 'Remote UI'.",
        markers=(header_marker("server", r"CANON HTTP Server"), title_marker(r"Remote UI")),
    ),
    Signature(
        key="printer_ricoh",
        vendor="Ricoh",
        product="Ricoh printer",
        kind=_ADMIN,
        category=_ADM,
        description="Ricoh printer 'Web Image Monitor' (path /web/guest/, title 'Web Image Monitor').",
        markers=(title_marker(r"Web Image Monitor"), location_marker(r"/web/guest/")),
    ),
    Signature(
        key="printer_kyocera",
        vendor="Kyocera",
        product="Kyocera printer",
        kind=_ADMIN,
        category=_ADM,
        description="Kyocera printer 'Command Center RX': title or body naming it.",
        markers=(title_marker(r"Command Center"), body_marker(r"Command Center RX")),
    ),
    Signature(
        key="printer_generic",
        vendor="",
        product="Printer",
        kind=_ADMIN,
        category=_ADM,
        description=(
            "Printer web pages of other makers: CUPS (Server 'CUPS/'), Lexmark and generic embedded "
            "web servers whose title names a printer ('Printer Status', 'Embedded Web Server')."
        ),
        markers=(
            header_marker("server", r"^CUPS/"),
            title_marker(r"Lexmark|Printer Status|Embedded Web Server|\bPrinter\b"),
        ),
    ),
)

#: Web servers named by their ``Server`` header, when no signature names the product.
SERVER_PRODUCTS: tuple[ServerProduct, ...] = (
    ServerProduct("nginx", "nginx", "f5", "nginx"),
    ServerProduct("apache", "Apache HTTP Server", "apache", "http_server"),
    ServerProduct("microsoft-iis", "Microsoft IIS", "microsoft", "internet_information_services"),
    ServerProduct("lighttpd", "lighttpd", "lighttpd", "lighttpd"),
    ServerProduct("openresty", "OpenResty", "openresty", "openresty"),
    ServerProduct("caddy", "Caddy", "caddyserver", "caddy"),
)
