<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>DnsPage</name>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="224"/>
        <source>Checked %n resolvers in {seconds:.1f} s.</source>
        <translation>
            <numerusform>Checked %n resolver in {seconds:.1f} s.</numerusform>
            <numerusform>Checked %n resolvers in {seconds:.1f} s.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="272"/>
        <source>Found %n dispatchers in {domain}.</source>
        <translation>
            <numerusform>Found %n dispatcher in {domain}.</numerusform>
            <numerusform>Found %n dispatchers in {domain}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProbeArea</name>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="156"/>
        <source>%n of {total} checks found a problem.</source>
        <translation>
            <numerusform>%n of {total} checks found a problem.</numerusform>
            <numerusform>%n of {total} checks found a problem.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="159"/>
        <source>All %n checks passed.</source>
        <translation>
            <numerusform>%n check passed.</numerusform>
            <numerusform>All %n checks passed.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="161"/>
        <source>%n not run (see below).</source>
        <translation>
            <numerusform>%n not run (see below).</numerusform>
            <numerusform>%n not run (see below).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RouterPage</name>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="162"/>
        <source>&amp;Remove the %n forwardings this wizard made</source>
        <translation>
            <numerusform>&amp;Remove the forwarding this wizard made</numerusform>
            <numerusform>&amp;Remove the %n forwardings this wizard made</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="180"/>
        <source>All %n checks passed: nothing to fix.</source>
        <translation>
            <numerusform>%n check passed: nothing to fix.</numerusform>
            <numerusform>All %n checks passed: nothing to fix.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="185"/>
        <source>%n checks found a problem; showing the first page concerned.</source>
        <translation>
            <numerusform>%n check found a problem; showing the first page concerned.</numerusform>
            <numerusform>%n checks found a problem; showing the first page concerned.</numerusform>
        </translation>
    </message>
</context>
</TS>
